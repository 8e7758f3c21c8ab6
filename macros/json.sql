{#
  JSON access for score payloads. Paths are SQL expressions that evaluate to a
  JSON path text such as '$.score' or '$.gameData[' || n || ']'. Every macro
  expects a document that `json_is_strict` accepted, or NULL.
#}

{#
  The JSON type at a path: 'object', 'array', 'string', 'number', 'boolean',
  'null', or NULL when the path does not exist.
#}
{% macro json_kind(document, path) -%}
    {{ return(adapter.dispatch('json_kind', 'hybrid_dashboard')(document, path)) }}
{%- endmacro %}

{% macro default__json_kind(document, path) -%}
    case json_type({{ document }}, {{ path }})
        when 'OBJECT' then 'object'
        when 'ARRAY' then 'array'
        when 'VARCHAR' then 'string'
        when 'BOOLEAN' then 'boolean'
        when 'NULL' then 'null'
        when 'BIGINT' then 'number'
        when 'UBIGINT' then 'number'
        when 'HUGEINT' then 'number'
        when 'DOUBLE' then 'number'
    end
{%- endmacro %}


{# A scalar's text: strings unquoted and unescaped, numbers and booleans as written. #}
{% macro json_text(document, path) -%}
    {{ return(adapter.dispatch('json_text', 'hybrid_dashboard')(document, path)) }}
{%- endmacro %}

{% macro default__json_text(document, path) -%}
    json_extract_string({{ document }}, {{ path }})
{%- endmacro %}


{# The JSON text of the value at a path (an object, an array or a scalar). #}
{% macro json_fragment(document, path) -%}
    {{ return(adapter.dispatch('json_fragment', 'hybrid_dashboard')(document, path)) }}
{%- endmacro %}

{% macro default__json_fragment(document, path) -%}
    {{ exact_text('json_extract(' ~ document ~ ', ' ~ path ~ ')') }}
{%- endmacro %}


{# Length of the array at a path; NULL when the value there is no array. #}
{% macro json_array_length_at(document, path) -%}
    {{ return(adapter.dispatch('json_array_length_at', 'hybrid_dashboard')(document, path)) }}
{%- endmacro %}

{% macro default__json_array_length_at(document, path) -%}
    case
        when json_type({{ document }}, {{ path }}) = 'ARRAY'
            then json_array_length({{ document }}, {{ path }})
    end
{%- endmacro %}


{# True when the engine's own JSON parser accepts the text. #}
{% macro json_is_valid(document) -%}
    {{ return(adapter.dispatch('json_is_valid', 'hybrid_dashboard')(document)) }}
{%- endmacro %}

{% macro default__json_is_valid(document) -%}
    coalesce(json_valid({{ document }}), false)
{%- endmacro %}


{#
  True when the text is strict JSON (RFC 8259). DuckDB's parser also accepts
  NaN, Infinity and trailing commas, and other engines differ in what else
  they let through, so after the engine's own check the text is reduced
  token by token: strings become "", and the literals true/false/null and
  numbers in strict notation become 0. What is left must be structure, "", 0
  and JSON whitespace only, with no comma before a closing bracket.
#}
{% macro json_is_strict(document) -%}
    {%- set json_string = '"([^"\\\\]|\\\\.)*"' -%}
    {%- set json_number = '-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][+-]?[0-9]+)?' -%}
    {%- set without_strings = regex_replace_all(document, json_string, '""') -%}
    {%- set without_literals = regex_replace_all(without_strings, 'true|false|null', '0') -%}
    {%- set structure_only = regex_replace_all(without_literals, json_number, '0') -%}
    (
        {{ json_is_valid(document) }}
        and {{ regex_full_match(structure_only, '[ \\t\\r\\n{}\\[\\],:"0]*') }}
        and not {{ regex_contains(structure_only, ',[ \\t\\r\\n]*[\\]}]') }}
    )
{%- endmacro %}


{#
  The number at a path: a JSON number, or a string in decimal notation
  (optional sign, fraction and exponent, ASCII whitespace around it). NULL for
  anything else, so the caller's next rule is tried.
#}
{% macro json_number_at(document, path) -%}
    {%- set numeric_text = ascii_whitespace_class() ~ '*[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?' ~ ascii_whitespace_class() ~ '*' -%}
    case
        when {{ json_kind(document, path) }} = 'number'
            then {{ text_to_double(json_text(document, path)) }}
        when {{ json_kind(document, path) }} = 'string'
            and {{ regex_full_match(json_text(document, path), numeric_text) }}
            then {{ text_to_double(trim_ascii(json_text(document, path))) }}
    end
{%- endmacro %}


{# True for the boolean `true` or exactly the text "true". #}
{% macro json_is_true(document, path) -%}
    (
        {{ json_kind(document, path) }} in ('boolean', 'string')
        and {{ json_text(document, path) }} = 'true'
    )
{%- endmacro %}


{# JSON path text of element `index_expression` of the array at `array_path` (a Python string). #}
{% macro json_element_path(array_path, index_expression) -%}
    {{ dbt.concat([sql_string(array_path ~ '['), integer_text(index_expression), "']'"]) }}
{%- endmacro %}
