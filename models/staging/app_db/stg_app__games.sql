with source as (

    select * from {{ source('app_db', 'hybrid_games') }}

),

renamed as (

    select
        {{ as_integer('id') }} as game_id,
        {{ clean_name('game_name') }} as game_name,
        {{ nullif_blank('game_code') }} as game_code

    from source

)

select * from renamed
