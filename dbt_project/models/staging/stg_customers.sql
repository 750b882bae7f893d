-- Customers without the PII columns downstream models never need (SSN, card, phone stay in bronze, masked).
select
    cast(customer_id as bigint) as customer_id,
    first_name,
    last_name,
    email,
    city,
    cast(updated_at as timestamp) as updated_at
from {{ source('bronze', 'customers_masked') }}
