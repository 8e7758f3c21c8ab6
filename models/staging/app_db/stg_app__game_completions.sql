with source as (

    select * from {{ source('app_db', 'hybrid_game_completions') }}

),

renamed as (

    select
        {{ as_integer('id') }} as completion_id,
        {{ as_integer('hybrid_game_link_id') }} as game_link_id,
        created_at as created_at_utc

    from source

)

select * from renamed
