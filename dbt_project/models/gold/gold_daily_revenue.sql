{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['order_date', 'city'],
    file_format='iceberg',
    table_properties={'format-version': '2'}
) }}
-- Revenue per day and city (cancelled and refunded orders excluded). Incremental runs recompute only the days that have
-- orders changed since the last run and MERGE those rows in.
{% if is_incremental() %}
with changed_dates as (
    select distinct order_date
    from {{ ref('silver_orders_enriched') }}
    where updated_at > (select coalesce(max(last_updated_at), timestamp '1900-01-01') from {{ this }})
)
{% endif %}
select
    o.order_date,
    coalesce(o.city, 'unknown') as city,
    count_if(o.status not in {{ non_revenue_statuses() }}) as orders,
    cast(coalesce(sum(case when o.status not in {{ non_revenue_statuses() }} then o.amount end), 0) as decimal(18, 2)) as revenue,
    count_if(o.status in {{ non_revenue_statuses() }}) as cancelled_orders,
    max(o.updated_at) as last_updated_at
from {{ ref('silver_orders_enriched') }} as o
{% if is_incremental() %}
where o.order_date in (select order_date from changed_dates)
{% endif %}
group by o.order_date, coalesce(o.city, 'unknown')
