-- Typed, normalised orders from bronze.
select
    cast(order_id as bigint) as order_id,
    cast(customer_id as bigint) as customer_id,
    cast(order_ts as timestamp) as order_ts,
    to_date(order_ts) as order_date,
    lower(trim(status)) as status,
    cast(amount as decimal(12, 2)) as amount,
    cast(updated_at as timestamp) as updated_at
from {{ source('bronze', 'orders') }}
