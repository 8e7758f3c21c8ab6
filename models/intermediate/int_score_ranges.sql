{#-
  Score ranges (var `score_ranges`, else the seed) in the order they are tried.
  A score s is in a range when range_start <= s < range_end; the last range
  also takes s = range_end.
-#}

with ranges as (

    {{ seed_or_var_rows('score_ranges', [
        ('score_range', 'text'),
        ('range_start', 'double'),
        ('range_end', 'double'),
    ]) }}

),

ranked as (

    select
        score_range,
        range_start,
        range_end,
        row_number() over (order by range_start, score_range) as range_rank,
        count(*) over () as range_count

    from ranges

),

final as (

    select
        score_range,
        range_start,
        range_end,
        range_rank,
        range_rank = range_count as is_last_range

    from ranked

)

select * from final
