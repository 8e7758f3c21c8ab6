with source as (

    select * from {{ source('matomo', 'site') }}

),

renamed as (

    select
        {{ as_integer('idsite') }} as site_id,
        {{ nullif_blank('timezone') }} as site_timezone

    from source

)

select * from renamed
