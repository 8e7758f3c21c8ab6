{#
  MySQL/MariaDB regular expressions (PCRE). REGEXP is case-insensitive under
  the default collations, so the text is made exact first, which keeps
  matching case-sensitive and UTF-8 aware. `\z` anchors at the very end:
  PCRE's `$` would also match before a final line feed.
#}

{% macro mysql__regex_full_match(expression, pattern) -%}
    ({{ exact_text(expression) }} regexp {{ sql_string('^(?:' ~ pattern ~ ')\\z') }})
{%- endmacro %}


{% macro mysql__regex_contains(expression, pattern) -%}
    ({{ exact_text(expression) }} regexp {{ sql_string(pattern) }})
{%- endmacro %}


{# REGEXP_REPLACE replaces every match; callers pass replacements without backslashes. #}
{% macro mysql__regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ exact_text(expression) }}, {{ sql_string(pattern) }}, {{ sql_string(replacement) }})
{%- endmacro %}
