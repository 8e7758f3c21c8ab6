{#-
  Event type rules, from the var `event_type_rules` when set, else the seed.
  `rule_rank` is the order in which rules are tried: priority, then
  stage_order, then event_type in code point order.
-#}

with rules as (

    {{ seed_or_var_rows('event_type_rules', [
        ('event_type', 'text'),
        ('stage_order', 'integer'),
        ('pattern', 'text'),
        ('priority', 'integer'),
    ]) }}

),

cleaned as (

    select
        {{ exact_text(trim_ascii('event_type')) }} as event_type,
        stage_order,
        pattern,
        priority

    from rules

),

ranked as (

    select
        event_type,
        stage_order,
        pattern,
        priority,
        row_number() over (order by priority, stage_order, event_type, pattern) as rule_rank

    from cleaned

)

select * from ranked
