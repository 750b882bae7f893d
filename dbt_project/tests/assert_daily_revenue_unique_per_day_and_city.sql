-- The merge key of gold_daily_revenue must stay unique across incremental runs.
select order_date, city, count(*) as copies
from {{ ref('gold_daily_revenue') }}
group by order_date, city
having count(*) > 1
