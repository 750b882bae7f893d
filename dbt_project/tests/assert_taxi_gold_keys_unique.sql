-- year/month/type is the merge key of both taxi gold models.
select 'gold_cost_metrics' as model, year, month, type from {{ ref('gold_cost_metrics') }}
group by year, month, type having count(*) > 1
union all
select 'gold_passengers_metrics' as model, year, month, type from {{ ref('gold_passengers_metrics') }}
group by year, month, type having count(*) > 1
