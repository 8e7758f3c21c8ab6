{#
  Views on MySQL/MariaDB. dbt's default DDL wraps the query in parentheses,
  which MariaDB rejects before a WITH clause ("create view v as (with ...)"),
  so the query follows AS directly.

  ALGORITHM=TEMPTABLE makes the server materialize the view for each query
  that reads it, with a key on the columns that query joins on. A merged view
  would instead join on expressions such as cast(idvisit as signed), for which
  Matomo's indexes are no use: on 200,000 actions, int_actions_classified then
  compared every action with every visit and ran for more than 10 minutes.
#}
{% macro mysql__create_view_as(relation, sql) -%}
    {%- set sql_header = config.get('sql_header', none) -%}
    {{ sql_header if sql_header is not none }}
    create algorithm = temptable view {{ relation }}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced %}
    {{ get_assert_columns_equivalent(sql) }}
    {%- endif %}
    as
    {{ sql }}
{%- endmacro %}
