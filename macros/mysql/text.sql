{#
  MySQL/MariaDB versions of the text helpers. The default collations there
  are case- and accent-insensitive and pad with spaces ('a' = 'A ' is true),
  so every key goes through a binary NO PAD collation: compared by code point,
  with trailing spaces significant, as on DuckDB.
#}

{#
  String literals interpret backslash escapes on MySQL/MariaDB, so a backslash
  is doubled. This assumes the server's sql_mode lacks NO_BACKSLASH_ESCAPES.
#}
{% macro mysql__sql_string(value) -%}
    '{{ value | replace("\\", "\\\\") | replace("'", "''") }}'
{%- endmacro %}


{# TRIM() removes only one given string, so the ASCII whitespace runs are cut with a regex. #}
{% macro mysql__trim_ascii(expression) -%}
    regexp_replace(
        {{ exact_text(expression) }},
        {{ sql_string('^' ~ ascii_whitespace_class() ~ '+|' ~ ascii_whitespace_class() ~ '+\\z') }},
        ''
    )
{%- endmacro %}


{#
  The collation comes from the var mysql_exact_collation: utf8mb4_nopad_bin on
  MariaDB (the default); MySQL 8 has no such name, there it is utf8mb4_0900_bin.
#}
{% macro mysql__exact_text(expression) -%}
    (cast({{ expression }} as char character set utf8mb4) collate {{ var('mysql_exact_collation', 'utf8mb4_nopad_bin') }})
{%- endmacro %}


{# LIKE follows the collation, so both sides are made exact. '\\' is one backslash here. #}
{% macro mysql__like_match(expression, pattern) -%}
    ({{ exact_text(expression) }} like {{ exact_text(pattern) }} escape '\\')
{%- endmacro %}


{# dbt's default concat uses ||, which MySQL/MariaDB read as a logical OR. #}
{% macro mysql__concat(fields) -%}
    concat({{ fields | join(', ') }})
{%- endmacro %}
