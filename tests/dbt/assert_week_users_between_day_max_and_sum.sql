{#-
  A week's distinct users are at least the largest day's and at most the sum
  of its days': a week summed from days, or a day counted over a week, fails here.
-#}

with days as (

    select
        {{ week_start('period_start') }} as week_start,
        event_type,
        max(users) as max_day_users,
        sum(users) as sum_day_users

    from {{ ref('timeseries_total') }}
    where period_type = 'day'
    group by {{ week_start('period_start') }}, event_type

),

weeks as (

    select * from {{ ref('timeseries_total') }}
    where period_type = 'week'

)

select
    weeks.period_start,
    weeks.event_type,
    weeks.users,
    days.max_day_users,
    days.sum_day_users

from weeks
inner join days
    on weeks.period_start = days.week_start
    and weeks.event_type = days.event_type
where weeks.users < days.max_day_users
   or weeks.users > days.sum_day_users
