{#- The distribution of distinct games played per player, gap-filled from 1 to the maximum. -#}

with integers as (

    select * from {{ ref('int_integers') }}

),

players as (

    select * from {{ ref('int_players') }}

),

distribution as (

    select
        games_played,
        count(*) as user_count

    from players
    group by games_played

),

totals as (

    select
        count(*) as total_users,
        max(games_played) as max_games_played,
        max(source) as source

    from players

),

filled as (

    select
        integers.n as games_played,
        coalesce(distribution.user_count, 0) as user_count,
        totals.total_users,
        totals.source

    from totals
    inner join integers
        on integers.n >= 1
        and integers.n <= totals.max_games_played
    left join distribution
        on integers.n = distribution.games_played

),

final as (

    select
        games_played,
        user_count,
        {{ rate_6dp('user_count', 'total_users') }} as user_share,
        source,
        {{ dbt_invocation_column() }}

    from filled

)

select * from final
