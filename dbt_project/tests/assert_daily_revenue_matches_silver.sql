-- Gold revenue equals the revenue recomputed from silver, day by day and city by city.
with expected as (
    select order_date, coalesce(city, 'unknown') as city,
           coalesce(sum(case when status not in {{ non_revenue_statuses() }} then amount end), 0) as revenue
    from {{ ref('silver_orders_enriched') }}
    group by order_date, coalesce(city, 'unknown')
)
select e.order_date, e.city, e.revenue as expected_revenue, g.revenue as gold_revenue
from expected as e
full outer join {{ ref('gold_daily_revenue') }} as g
    on e.order_date = g.order_date and e.city = g.city
where g.revenue is null or e.revenue is null or e.revenue <> g.revenue
