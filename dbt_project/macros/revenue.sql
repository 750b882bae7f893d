{#- Statuses that bring no revenue (the ingest demo marks some orders `refunded`). -#}
{% macro non_revenue_statuses() -%}
    ('cancelled', 'refunded')
{%- endmacro %}
