{#
  A rate rounded half away from zero to 6 decimals, computed in integers so no
  engine's floating point touches it: round(n / d, 6) = floor((2n * 10^6 + d) / 2d)
  for n >= 0 and d > 0. NULL when the denominator is 0.
#}
{% macro rate_6dp(numerator, denominator) -%}
    case
        when {{ denominator }} = 0 then null
        else cast(
            cast(
                {{ integer_divide(
                    '(2 * ' ~ as_integer(numerator) ~ ' * 1000000 + ' ~ as_integer(denominator) ~ ')',
                    '(2 * ' ~ as_integer(denominator) ~ ')'
                ) }} as decimal(24, 6)
            ) / 1000000 as decimal(18, 6)
        )
    end
{%- endmacro %}


{# Integer division that truncates, for non-negative operands. #}
{% macro integer_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_divide', 'hybrid_dashboard')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_divide(numerator, denominator) -%}
    ({{ numerator }} // {{ denominator }})
{%- endmacro %}


{# Text to a double, NULL where the text is no number. Callers check the text's form first. #}
{% macro text_to_double(expression) -%}
    {{ return(adapter.dispatch('text_to_double', 'hybrid_dashboard')(expression)) }}
{%- endmacro %}

{% macro default__text_to_double(expression) -%}
    try_cast({{ expression }} as double)
{%- endmacro %}


{# True for a finite double (not infinite, not NaN). #}
{% macro is_finite(expression) -%}
    {{ return(adapter.dispatch('is_finite', 'hybrid_dashboard')(expression)) }}
{%- endmacro %}

{% macro default__is_finite(expression) -%}
    isfinite({{ expression }})
{%- endmacro %}


{# Decimal text of a whole number, for building JSON paths such as `$.a[3]`. #}
{% macro integer_text(expression) -%}
    {{ exact_text(as_integer(expression)) }}
{%- endmacro %}


{# A whole number as a 64-bit integer (MySQL casts to SIGNED, not BIGINT). #}
{% macro as_integer(expression) -%}
    {{ return(adapter.dispatch('as_integer', 'hybrid_dashboard')(expression)) }}
{%- endmacro %}

{% macro default__as_integer(expression) -%}
    cast({{ expression }} as bigint)
{%- endmacro %}
