-- Three small EDLS jobs: a file pipeline, an incremental database pipeline with a join, and a retired job.
INSERT INTO edls_connection VALUES ('sales_pg', 'postgresql', 'jdbc:postgresql://sales-db.internal:5432/sales', 'edls/sales_pg');
INSERT INTO edls_connection VALUES ('crm_mysql', 'mysql', 'jdbc:mysql://crm-db.internal:3306/crm', 'edls/crm_mysql');

INSERT INTO edls_job VALUES (1, 'daily_orders_file_load', 'sales', 'Load daily order files, check them, curate', '0 2 * * *', 1, 'small', '2024-05-01 10:00:00');
INSERT INTO edls_job_step VALUES (11, 1, 'read_order_files', 'FILE_INGEST', 1,
 '{"source": {"type": "s3", "path": "s3://raw-bucket/orders/", "pattern": "*.csv"}, "format": "csv", "options": {"delimiter": ",", "header": true, "quote": "\"", "compression": null}}');
INSERT INTO edls_job_step VALUES (12, 1, 'check_orders', 'DQ_CHECK', 2,
 '{"rules": [{"type": "not_null", "column": "order_id"}, {"type": "unique", "columns": ["order_id"]}, {"type": "range", "column": "amount", "min": 0, "max": 1000000}], "on_failure": "fail"}');
INSERT INTO edls_job_step VALUES (13, 1, 'clean_orders', 'DATA_TRANSFORM', 3,
 '{"rules": [{"op": "rename", "from": "cust_nm", "to": "customer_name"}, {"op": "cast", "column": "amount", "type": "decimal(12,2)"}, {"op": "filter", "condition": {"column": "status", "operator": "ne", "value": "TEST"}}, {"op": "dedupe", "columns": ["order_id"]}]}');
INSERT INTO edls_job_step VALUES (14, 1, 'write_curated_orders', 'DATA_PERSISTENCE', 4,
 '{"target": {"type": "iceberg", "database": "curated", "table": "orders", "mode": "merge", "keys": ["order_id"]}}');
INSERT INTO edls_step_dependency VALUES (12, 11, NULL);
INSERT INTO edls_step_dependency VALUES (13, 12, NULL);
INSERT INTO edls_step_dependency VALUES (14, 13, NULL);

INSERT INTO edls_job VALUES (2, 'customer_orders_incremental', 'crm', 'Incremental orders joined to CRM customers, PII masked', '*/30 * * * *', 1, 'medium', '2024-06-12 08:30:00');
INSERT INTO edls_job_step VALUES (21, 2, 'ingest_orders', 'DB_INGEST', 1,
 '{"connection": "sales_pg", "table": "public.orders", "query": "SELECT * FROM public.orders WHERE updated_at > ''{lastmdfdtmst}''", "incremental": {"column": "updated_at", "primary_key": ["order_id"], "lookback_seconds": 300}, "parallel": {"hashfield": "order_id", "hashpartitions": 8}}');
INSERT INTO edls_job_step VALUES (22, 2, 'ingest_customers', 'DB_INGEST', 1,
 '{"connection": "crm_mysql", "table": "crm.customers"}');
INSERT INTO edls_job_step VALUES (23, 2, 'join_orders_customers', 'TRANSFORM_JOIN', 2,
 '{"sql": "SELECT o.order_id, o.amount, o.updated_at, c.id AS customer_id, c.full_name, c.email, c.ssn FROM orders o JOIN customers c ON o.customer_id = c.id"}');
INSERT INTO edls_job_step VALUES (24, 2, 'mask_customer_pii', 'DATA_TRANSFORM', 3,
 '{"rules": [{"op": "mask_pii", "columns": "auto", "action": "hash"}]}');
INSERT INTO edls_job_step VALUES (25, 2, 'persist_orders_rds', 'DATA_PERSISTENCE', 4,
 '{"target": {"type": "rds", "connection": "sales_pg", "table": "reporting.customer_orders", "mode": "upsert", "keys": ["order_id"]}}');
INSERT INTO edls_step_dependency VALUES (23, 21, 'orders');
INSERT INTO edls_step_dependency VALUES (23, 22, 'customers');
INSERT INTO edls_step_dependency VALUES (24, 23, NULL);
INSERT INTO edls_step_dependency VALUES (25, 24, NULL);

INSERT INTO edls_job VALUES (3, 'legacy_retired_extract', 'finance', 'Retired in 2023', NULL, 0, 'small', '2023-01-15 00:00:00');
INSERT INTO edls_job_step VALUES (31, 3, 'read_ledger', 'FILE_INGEST', 1,
 '{"source": {"type": "s3", "path": "s3://raw-bucket/ledger/"}, "format": "parquet"}');

-- glueforge addition (not in the shared sample): a third active job exercising a key join, rule chains,
-- a warn-level DQ check and an S3 Parquet target, so three sample jobs run end to end locally.
INSERT INTO edls_job VALUES (4, 'daily_sales_by_region', 'sales', 'Completed sales joined to stores, revenue per region', '0 3 * * *', 1, 'large', '2024-07-01 06:00:00');
INSERT INTO edls_job_step VALUES (41, 4, 'read_sales', 'FILE_INGEST', 1,
 '{"source": {"type": "s3", "path": "s3://raw-bucket/sales/"}, "format": "csv", "options": {"delimiter": ";", "header": true, "quote": "\"", "compression": null}, "schema": [{"name": "sale_id", "type": "bigint"}, {"name": "store_id", "type": "int"}, {"name": "status", "type": "string"}, {"name": "amount", "type": "double"}, {"name": "quantity", "type": "int"}]}');
INSERT INTO edls_job_step VALUES (42, 4, 'read_stores', 'FILE_INGEST', 1,
 '{"source": {"type": "s3", "path": "s3://raw-bucket/stores/"}, "format": "json"}');
INSERT INTO edls_job_step VALUES (43, 4, 'join_sales_stores', 'TRANSFORM_JOIN', 2,
 '{"join_type": "inner", "left": "sales", "right": "stores", "keys": [{"left": "store_id", "right": "id"}]}');
INSERT INTO edls_job_step VALUES (44, 4, 'revenue_by_region', 'DATA_TRANSFORM', 3,
 '{"rules": [{"op": "filter", "condition": {"all": [{"column": "status", "operator": "eq", "value": "COMPLETED"}, {"column": "amount", "operator": "gt", "value": 0}]}}, {"op": "fill_null", "column": "region", "value": "UNKNOWN"}, {"op": "derive", "column": "revenue", "expression": "amount * quantity"}, {"op": "aggregate", "group_by": ["region"], "aggs": [{"column": "revenue", "func": "sum", "as": "total_revenue"}, {"column": "sale_id", "func": "count", "as": "sales_count"}]}]}');
INSERT INTO edls_job_step VALUES (45, 4, 'check_summary', 'DQ_CHECK', 4,
 '{"rules": [{"type": "row_count", "min": 1, "max": null}, {"type": "not_null", "column": "region"}], "on_failure": "warn"}');
INSERT INTO edls_job_step VALUES (46, 4, 'write_region_summary', 'DATA_PERSISTENCE', 5,
 '{"target": {"type": "s3", "path": "s3://curated-bucket/sales_by_region/", "format": "parquet", "mode": "append"}}');
INSERT INTO edls_step_dependency VALUES (43, 41, 'sales');
INSERT INTO edls_step_dependency VALUES (43, 42, 'stores');
INSERT INTO edls_step_dependency VALUES (44, 43, NULL);
INSERT INTO edls_step_dependency VALUES (45, 44, NULL);
INSERT INTO edls_step_dependency VALUES (46, 45, NULL);
