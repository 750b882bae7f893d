-- Orders joined to their customer's city.
select
    o.order_id,
    o.customer_id,
    c.city,
    o.order_ts,
    o.order_date,
    o.status,
    o.amount,
    greatest(o.updated_at, c.updated_at) as updated_at
from {{ ref('stg_orders') }} as o
left join {{ ref('stg_customers') }} as c
    on o.customer_id = c.customer_id
