"""Daily dvgs-spark valuation from Airflow, through spark-submit (SparkSubmitOperator).

Each scheduled run values the configured data set into <output_root>/<run id>, with run id
``dvgs_<yyyymmdd>`` of the logical date, so its value table partition is ``values/run_id=dvgs_<yyyymmdd>``.
Trigger with other params to value another config by hand:

    airflow dags trigger dvgs_value -c '{"config_path": "hdfs:///apps/dvgs/conf/other.conf"}'

Needs the apache-airflow-providers-apache-spark package and a Spark connection (``spark_conn_id``) whose host is
the master (yarn, k8s://..., spark://...). A retried task resumes from the snapshots the failed attempt persisted
(the output directory then holds only checkpoints/, so no overwrite is needed).
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.models.param import Param
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# The run id names a partition: it must start with a letter (see dvgs.run-id in reference.conf).
RUN_ID = "dvgs_{{ ds_nodash }}"

with DAG(
    dag_id="dvgs_value",
    description="DVGS data valuation: value every source row, write values/run_id=<run id>",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    params={
        "config_path": Param("hdfs:///apps/dvgs/conf/lincs.conf", type="string",
                             description="valuation config (HOCON); shipped to the driver as dvgs.conf"),
        "output_root": Param("hdfs:///dvgs/runs", type="string",
                             description="directory holding one output directory per run"),
        "app_jar": Param("hdfs:///apps/dvgs/lib/dvgs-spark.jar", type="string",
                         description="application jar built by mvn -Pdist package"),
    },
) as dag:
    value = SparkSubmitOperator(
        task_id="value",
        conn_id="spark_default",
        application="{{ params.app_jar }}",
        java_class="org.dvgs.cli.Main",
        name="dvgs value " + RUN_ID,
        deploy_mode="cluster",
        files="{{ params.config_path }}#dvgs.conf",
        driver_memory="4g",
        executor_memory="8g",
        executor_cores=4,
        num_executors=10,
        conf={
            # The jar carries the PyTorch natives: DJL must never try to download them on the cluster.
            "spark.driver.extraJavaOptions": "-Dai.djl.offline=true",
            "spark.executor.extraJavaOptions": "-Dai.djl.offline=true",
            "spark.executorEnv.OMP_NUM_THREADS": "1",
            # MKL's strict reproducible mode: the same values bit for bit at any thread count, on the driver too.
            "spark.executorEnv.MKL_CBWR": "AUTO,STRICT",
            "spark.yarn.appMasterEnv.MKL_CBWR": "AUTO,STRICT",
        },
        application_args=[
            "value",
            "--config", "dvgs.conf",
            "--output", "{{ params.output_root }}/" + RUN_ID,
            "--set", "run-id=" + RUN_ID,
        ],
    )
