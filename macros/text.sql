{#
  Text helpers. Matomo stores tracked strings HTML-escaped and keys may carry
  stray whitespace, so every key and name passes through these before it is
  compared, grouped or written out.
#}

{# ASCII whitespace as the data contract defines it: space, tab, CR, LF, VT, FF. #}
{% macro ascii_whitespace_class() -%}
    [ \t\r\n\x0b\x0c]
{%- endmacro %}


{# Quote a Python string as a SQL string literal for the current engine. #}
{% macro sql_string(value) -%}
    {{ return(adapter.dispatch('sql_string', 'hybrid_dashboard')(value)) }}
{%- endmacro %}

{% macro default__sql_string(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}


{# Remove ASCII whitespace at both ends. #}
{% macro trim_ascii(expression) -%}
    {{ return(adapter.dispatch('trim_ascii', 'hybrid_dashboard')(expression)) }}
{%- endmacro %}

{% macro default__trim_ascii(expression) -%}
    trim({{ expression }}, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13))
{%- endmacro %}


{# Exact, case- and accent-sensitive text, so grouping and distinct counts never merge keys. #}
{% macro exact_text(expression) -%}
    {{ return(adapter.dispatch('exact_text', 'hybrid_dashboard')(expression)) }}
{%- endmacro %}

{% macro default__exact_text(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}


{#
  True when a value is blank: NULL, empty after trimming, or the literal text
  `null` or `undefined` in any case. `0` is not blank.
#}
{% macro is_blank(expression) -%}
    (
        {{ expression }} is null
        or {{ trim_ascii(expression) }} = ''
        or lower({{ trim_ascii(expression) }}) in ('null', 'undefined')
    )
{%- endmacro %}


{# The trimmed value, or NULL when it is blank. #}
{% macro nullif_blank(expression) -%}
    case
        when {{ is_blank(expression) }} then null
        else {{ exact_text(trim_ascii(expression)) }}
    end
{%- endmacro %}


{#
  Undo Matomo's HTML escaping in one pass. `&amp;` goes last, so `&amp;lt;`
  becomes `&lt;` and is not decoded twice.
#}
{% macro html_unescape(expression) -%}
    replace(replace(replace(replace(replace(
        {{ expression }},
        '&quot;', '"'),
        '&#039;', {{ sql_string("'") }}),
        '&lt;', '<'),
        '&gt;', '>'),
        '&amp;', '&')
{%- endmacro %}


{# A name as it is matched and shown: unescaped, trimmed, NULL when blank. #}
{% macro clean_name(expression) -%}
    {{ nullif_blank(html_unescape(expression)) }}
{%- endmacro %}


{#
  Case-sensitive SQL LIKE in which a backslash makes the next `%`, `_` or
  backslash literal.
#}
{% macro like_match(expression, pattern) -%}
    {{ return(adapter.dispatch('like_match', 'hybrid_dashboard')(expression, pattern)) }}
{%- endmacro %}

{% macro default__like_match(expression, pattern) -%}
    ({{ expression }} like {{ pattern }} escape '\')
{%- endmacro %}


{# Lowercase hex text of Matomo's 8-byte binary visitor id. #}
{% macro visitor_hex(expression) -%}
    {{ return(adapter.dispatch('visitor_hex', 'hybrid_dashboard')(expression)) }}
{%- endmacro %}

{% macro default__visitor_hex(expression) -%}
    lower(hex({{ expression }}))
{%- endmacro %}
