{#-
  One row per scored event with its score range. `score_status` is `missing`,
  `invalid`, `out_of_range` (a valid score in no range) or `in_range`.
-#}

with payloads as (

    select * from {{ ref('int_score_payloads') }}

),

ranges as (

    select * from {{ ref('int_score_ranges') }}

),

range_matches as (

    select
        payloads.action_id,
        ranges.score_range,
        ranges.range_start,
        row_number() over (
            partition by payloads.action_id
            order by ranges.range_rank
        ) as match_rank

    from payloads
    inner join ranges
        on payloads.score >= ranges.range_start
        and (
            payloads.score < ranges.range_end
            or (ranges.is_last_range and payloads.score = ranges.range_end)
        )
    where payloads.score_status = 'valid'

),

final as (

    select
        payloads.action_id,
        payloads.game_name,
        payloads.user_key,
        payloads.score,
        case
            when payloads.score_status <> 'valid' then payloads.score_status
            when range_matches.score_range is null then 'out_of_range'
            else 'in_range'
        end as score_status,
        range_matches.score_range

    from payloads
    left join range_matches
        on payloads.action_id = range_matches.action_id
        and range_matches.match_rank = 1

)

select * from final
