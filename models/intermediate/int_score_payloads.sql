{#-
  One row per scored event with its parsed score. The payload is the score
  dimension, HTML-unescaped, parsed as strict JSON; the score is the first of
  five rules that yields a number:
    1. top-level `score`, else `totalScore`, else `correctSelections`;
    2. `jsonData.totalScore`, else `action_level.totalScore`;
    3. the sum of the numeric `gameData[*].gameData[*].statistics.correctSelections`;
    4. the count of true `isCorrect` in `userResponse[0]` of each `jsonData[*]`,
       over the root and each `gameData[*]` whose `section` is "Action";
    5. the count of multiple-choice answers (`options` list and `chosenOption`,
       at the root or in `gameData[*]`) whose chosen option has a true `isCorrect`.
  `score_status` is `missing` (blank payload), `invalid` (no JSON object, no
  rule yields, or the score is negative or not finite) or `valid`.
  NOTE: on MariaDB 10.11 this model is slow beyond tens of thousands of scored
  events (200k events did not finish in 10 minutes): the array joins to
  int_integers are not narrowed by the index. DuckDB builds it in seconds.
-#}
{%- set scored_event_types = setting_name_list('scored_event_types') -%}

{{ warn_if_undefined_event_types('scored_event_types', scored_event_types) }}

with events as (

    select * from {{ ref('int_game_events') }}

),

integers as (

    select * from {{ ref('int_integers') }}

),

scored_events as (

    select
        action_id,
        game_name,
        user_key,
        score_payload

    from events
    {%- if scored_event_types %}
    where event_type in (
        {%- for event_type in scored_event_types -%}
        {{ sql_string(event_type) }}{{ ", " if not loop.last }}
        {%- endfor -%}
    )
    {%- else %}
    where 1 = 0
    {%- endif %}

),

payload_texts as (

    select
        action_id,
        game_name,
        user_key,
        {{ is_blank('score_payload') }} as is_missing,
        {{ html_unescape('score_payload') }} as payload_text

    from scored_events

),

strict_payloads as (

    select
        action_id,
        game_name,
        user_key,
        is_missing,
        case
            when not is_missing and {{ json_is_strict('payload_text') }} then payload_text
        end as strict_json

    from payload_texts

),

documents as (

    select
        action_id,
        game_name,
        user_key,
        is_missing,
        case
            when {{ json_kind('strict_json', "'$'") }} = 'object' then strict_json
        end as document

    from strict_payloads

),

parsed_documents as (

    select * from documents
    where document is not null

),

direct_rules as (

    select
        action_id,
        coalesce(
            {{ json_number_at('document', "'$.score'") }},
            {{ json_number_at('document', "'$.totalScore'") }},
            {{ json_number_at('document', "'$.correctSelections'") }}
        ) as rule_1_score,
        coalesce(
            {{ json_number_at('document', "'$.jsonData.totalScore'") }},
            {{ json_number_at('document', "'$.action_level.totalScore'") }}
        ) as rule_2_score

    from parsed_documents

),

game_data_elements as (

    select
        parsed_documents.action_id,
        {{ json_fragment('parsed_documents.document', json_element_path('$.gameData', 'integers.n')) }} as element

    from parsed_documents
    inner join integers
        on integers.n < {{ json_array_length_at('parsed_documents.document', "'$.gameData'") }}

),

nested_game_data_elements as (

    select
        game_data_elements.action_id,
        {{ json_fragment('game_data_elements.element', json_element_path('$.gameData', 'integers.n')) }} as element

    from game_data_elements
    inner join integers
        on integers.n < {{ json_array_length_at('game_data_elements.element', "'$.gameData'") }}

),

rule_3 as (

    select
        action_id,
        sum({{ json_number_at('element', "'$.statistics.correctSelections'") }}) as rule_3_score

    from nested_game_data_elements
    group by action_id

),

action_sections as (

    select
        action_id,
        document as section

    from parsed_documents
    where {{ json_kind('document', "'$.section'") }} = 'string'
      and {{ json_text('document', "'$.section'") }} = 'Action'

    union all

    select
        action_id,
        element as section

    from game_data_elements
    where {{ json_kind('element', "'$.section'") }} = 'string'
      and {{ json_text('element', "'$.section'") }} = 'Action'

),

section_responses as (

    select
        action_sections.action_id,
        {{ json_fragment('action_sections.section', json_element_path('$.jsonData', 'integers.n')) }} as response

    from action_sections
    inner join integers
        on integers.n < {{ json_array_length_at('action_sections.section', "'$.jsonData'") }}

),

response_counts as (

    select
        action_id,
        sum(
            case
                {#- MySQL reads `[0]` of an object as the object itself, so the list is checked first. #}
                when {{ json_kind('response', "'$.userResponse'") }} = 'array'
                    and {{ json_kind('response', "'$.userResponse[0]'") }} = 'object'
                    and {{ json_is_true('response', "'$.userResponse[0].isCorrect'") }}
                    then 1
                else 0
            end
        ) as correct_responses

    from section_responses
    group by action_id

),

rule_4 as (

    select
        sections_with_lists.action_id,
        cast(coalesce(response_counts.correct_responses, 0) as double) as rule_4_score

    from (
        select distinct action_id
        from action_sections
        where {{ json_array_length_at('section', "'$.jsonData'") }} is not null
    ) as sections_with_lists
    left join response_counts
        on sections_with_lists.action_id = response_counts.action_id

),

choice_answers as (

    select
        action_id,
        document as answer

    from parsed_documents
    where {{ json_kind('document', "'$.options'") }} = 'array'
      and {{ json_kind('document', "'$.chosenOption'") }} is not null

    union all

    select
        action_id,
        element as answer

    from game_data_elements
    where {{ json_kind('element', "'$.options'") }} = 'array'
      and {{ json_kind('element', "'$.chosenOption'") }} is not null

),

choice_values as (

    select
        action_id,
        answer,
        {{ json_array_length_at('answer', "'$.options'") }} as option_count,
        case
            when {{ json_kind('answer', "'$.chosenOption'") }} = 'number'
                then {{ text_to_double(json_text('answer', "'$.chosenOption'")) }}
        end as chosen_value

    from choice_answers

),

choice_indexes as (

    select
        action_id,
        answer,
        case
            when chosen_value >= 0
                and chosen_value < option_count
                and chosen_value = floor(chosen_value)
                then chosen_value
        end as chosen_index

    from choice_values

),

rule_5 as (

    select
        action_id,
        cast(
            sum(
                case
                    when chosen_index is null then 0
                    when {{ json_is_true('answer', dbt.concat([
                            "'$.options['", integer_text('chosen_index'), "'].isCorrect'"
                        ])) }} then 1
                    else 0
                end
            ) as double
        ) as rule_5_score

    from choice_indexes
    group by action_id

),

scores as (

    select
        documents.action_id,
        documents.game_name,
        documents.user_key,
        documents.is_missing,
        coalesce(
            direct_rules.rule_1_score,
            direct_rules.rule_2_score,
            rule_3.rule_3_score,
            rule_4.rule_4_score,
            rule_5.rule_5_score
        ) as score

    from documents
    left join direct_rules
        on documents.action_id = direct_rules.action_id
    left join rule_3
        on documents.action_id = rule_3.action_id
    left join rule_4
        on documents.action_id = rule_4.action_id
    left join rule_5
        on documents.action_id = rule_5.action_id

),

classified as (

    select
        action_id,
        game_name,
        user_key,
        case
            when is_missing then 'missing'
            when score is null then 'invalid'
            when not {{ is_finite('score') }} then 'invalid'
            when score < 0 then 'invalid'
            else 'valid'
        end as score_status,
        score

    from scores

),

final as (

    select
        action_id,
        game_name,
        user_key,
        score_status,
        case when score_status = 'valid' then score end as score

    from classified

)

select * from final
