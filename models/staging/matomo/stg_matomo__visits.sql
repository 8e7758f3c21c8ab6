with source as (

    select * from {{ source('matomo', 'log_visit') }}

),

renamed as (

    select
        {{ as_integer('idvisit') }} as visit_id,
        {{ exact_text(visitor_hex('idvisitor')) }} as visitor_key,
        {{ nullif_blank('user_id') }} as user_id

    from source

)

select * from renamed
