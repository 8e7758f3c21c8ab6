with source as (

    select * from {{ source('matomo', 'log_action') }}

),

renamed as (

    select
        {{ as_integer('idaction') }} as action_name_id,
        {{ clean_name('name') }} as action_name,
        {{ as_integer('type') }} as action_type

    from source

)

select * from renamed
