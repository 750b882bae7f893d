{#- Use a model's `schema` config as the namespace itself (silver, gold), not `<target schema>_<schema>`:
    the lakehouse namespaces are shared with the rest of glueforge. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
