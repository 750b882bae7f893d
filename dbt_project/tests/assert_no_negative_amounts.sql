-- Order amounts and lifetime values are never negative.
select order_id as id, amount as value from {{ ref('silver_orders_enriched') }} where amount < 0
union all
select customer_id as id, lifetime_value as value from {{ ref('gold_customer_lifetime_value') }} where lifetime_value < 0
