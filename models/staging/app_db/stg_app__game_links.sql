with source as (

    select * from {{ source('app_db', 'hybrid_games_links') }}

),

renamed as (

    select
        {{ as_integer('id') }} as game_link_id,
        {{ as_integer('hybrid_game_id') }} as game_id,
        {{ nullif_blank(exact_text('activity_id')) }} as activity_id,
        {{ nullif_blank(exact_text('hybrid_profile_id')) }} as profile_id

    from source

)

select * from renamed
