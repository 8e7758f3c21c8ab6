{# MySQL/MariaDB versions of the number helpers. #}

{% macro mysql__integer_divide(numerator, denominator) -%}
    ({{ numerator }} div {{ denominator }})
{%- endmacro %}


{% macro mysql__as_integer(expression) -%}
    cast({{ expression }} as signed)
{%- endmacro %}


{#
  Text to a double. MySQL/MariaDB have no infinity: CAST clamps a number
  beyond the double range to +-1.7976931348623157e308 with a warning, and
  that warning fails a CREATE TABLE ... SELECT in strict mode. So overflow is
  found in the text first: a number overflows when it is at least the
  midpoint between the largest double and 2^1024 (round half to even then
  gives 2^1024). Such a number becomes +-1.7976931348623157e308, which
  `mysql__is_finite` reports as not finite, as DuckDB reports its infinity.
  The text must be a number in decimal notation, as the callers check.
#}
{% macro mysql__text_to_double(expression) -%}
    {%- set text = exact_text(expression) -%}
    {#- Digits of the midpoint 2^1024 - 2^970, a 309-digit integer, without trailing zeros. -#}
    {%- set overflow_digits = '179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792' -%}
    {%- set mantissa = "regexp_replace(" ~ text ~ ", " ~ sql_string('^[+-]|[eE].*') ~ ", '')" -%}
    {%- set integer_part = "substring_index(" ~ mantissa ~ ", '.', 1)" -%}
    {%- set digits = "replace(" ~ mantissa ~ ", '.', '')" -%}
    {%- set significant_digits = "trim(leading '0' from " ~ digits ~ ")" -%}
    {%- set exponent_part = "regexp_substr(" ~ text ~ ", " ~ sql_string('[eE][+-]?[0-9]+') ~ ")" -%}
    {%- set exponent_digits = "trim(leading '0' from regexp_replace(" ~ exponent_part ~ ", " ~ sql_string('^[eE][+-]?') ~ ", ''))" -%}
    {%- set exponent_is_negative = "(" ~ exponent_part ~ " like '_-%')" -%}
    {%- set exponent = "coalesce(cast(substring(" ~ exponent_part ~ ", 2) as signed), 0)" -%}
    {#- The number is 0.<significant digits> * 10^decimal_exponent. -#}
    {%- set decimal_exponent = "(length(" ~ integer_part ~ ") - (length(" ~ digits ~ ") - length(" ~ significant_digits ~ ")) + " ~ exponent ~ ")" -%}
    case
        {#- Without an exponent, a number needs 309 digits to reach the end of the double range. #}
        when {{ text }} regexp '^[^eE]{0,308}\\z' then cast({{ text }} as double)
        when {{ significant_digits }} = '' then cast(0 as double)
        when coalesce(length({{ exponent_digits }}), 0) > 6 and {{ exponent_is_negative }} then cast(0 as double)
        when coalesce(length({{ exponent_digits }}), 0) > 6
            or {{ decimal_exponent }} > 309
            or (
                {{ decimal_exponent }} = 309
                and {{ exact_text("trim(trailing '0' from " ~ significant_digits ~ ")") }} >= '{{ overflow_digits }}'
            )
            then case when {{ text }} like '-%' then -1.7976931348623157e308 else 1.7976931348623157e308 end
        else cast({{ text }} as double)
    end
{%- endmacro %}


{# Overflowed numbers are stored as +-1.7976931348623157e308 (see mysql__text_to_double). #}
{% macro mysql__is_finite(expression) -%}
    (abs({{ expression }}) < 1.7976931348623157e308)
{%- endmacro %}
