{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key='customer_id',
    file_format='iceberg',
    table_properties={'format-version': '2'}
) }}
-- Lifetime value per customer (cancelled and refunded orders excluded); incremental runs recompute changed customers only.
{% if is_incremental() %}
with changed_customers as (
    select distinct customer_id
    from {{ ref('silver_orders_enriched') }}
    where updated_at > (select coalesce(max(last_updated_at), timestamp '1900-01-01') from {{ this }})
)
{% endif %}
select
    o.customer_id,
    count_if(o.status not in {{ non_revenue_statuses() }}) as orders,
    cast(coalesce(sum(case when o.status not in {{ non_revenue_statuses() }} then o.amount end), 0) as decimal(18, 2)) as lifetime_value,
    min(o.order_ts) as first_order_ts,
    max(o.order_ts) as last_order_ts,
    max(o.updated_at) as last_updated_at
from {{ ref('silver_orders_enriched') }} as o
{% if is_incremental() %}
where o.customer_id in (select customer_id from changed_customers)
{% endif %}
group by o.customer_id
