{#- Engine functions the models call through dispatched macros. DuckDB has them built in (and
    cts_pseudonym from the cts.pseudonym plugin); on PostgreSQL they are exact SQL and plpgsql
    versions of DuckDB's, in schema cts_engine, checked against golden values
    (seeds/engines/engine_conformance.csv). cts creates them before every build on a target that
    needs them (`dbt run-operation cts_create_engine_functions`); with plain dbt, run that once. -#}
{% macro cts_create_engine_functions() -%}
    {%- set statements = adapter.dispatch('cts_engine_functions_sql', 'cts_programs')() -%}
    {%- if statements | trim -%}
        {%- do run_query(statements) -%}
        {%- do log("cts_engine functions created or replaced", info=true) -%}
    {%- endif -%}
{%- endmacro %}

{% macro default__cts_engine_functions_sql() -%}
{%- endmacro %}

{#- The Unicode marks (categories Mn, Mc, Me; Unicode 14) that strip_accents removes after
    canonical decomposition. Generated from Python's unicodedata. -#}
{% macro cts_unicode_marks_class() -%}
    [\u0300-\u036F\u0483-\u0489\u0591-\u05BD\u05BF\u05C1-\u05C2\u05C4-\u05C5\u05C7\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E4\u06E7-\u06E8\u06EA-\u06ED\u0711\u0730-\u074A\u07A6-\u07B0\u07EB-\u07F3\u07FD\u0816-\u0819\u081B-\u0823\u0825-\u0827\u0829-\u082D\u0859-\u085B\u0898-\u089F\u08CA-\u08E1\u08E3-\u0903\u093A-\u093C\u093E-\u094F\u0951-\u0957\u0962-\u0963\u0981-\u0983\u09BC\u09BE-\u09C4\u09C7-\u09C8\u09CB-\u09CD\u09D7\u09E2-\u09E3\u09FE\u0A01-\u0A03\u0A3C\u0A3E-\u0A42\u0A47-\u0A48\u0A4B-\u0A4D\u0A51\u0A70-\u0A71\u0A75\u0A81-\u0A83\u0ABC\u0ABE-\u0AC5\u0AC7-\u0AC9\u0ACB-\u0ACD\u0AE2-\u0AE3\u0AFA-\u0AFF\u0B01-\u0B03\u0B3C\u0B3E-\u0B44\u0B47-\u0B48\u0B4B-\u0B4D\u0B55-\u0B57\u0B62-\u0B63\u0B82\u0BBE-\u0BC2\u0BC6-\u0BC8\u0BCA-\u0BCD\u0BD7\u0C00-\u0C04\u0C3C\u0C3E-\u0C44\u0C46-\u0C48\u0C4A-\u0C4D\u0C55-\u0C56\u0C62-\u0C63\u0C81-\u0C83\u0CBC\u0CBE-\u0CC4\u0CC6-\u0CC8\u0CCA-\u0CCD\u0CD5-\u0CD6\u0CE2-\u0CE3\u0D00-\u0D03\u0D3B-\u0D3C\u0D3E-\u0D44\u0D46-\u0D48\u0D4A-\u0D4D\u0D57\u0D62-\u0D63\u0D81-\u0D83\u0DCA\u0DCF-\u0DD4\u0DD6\u0DD8-\u0DDF\u0DF2-\u0DF3\u0E31\u0E34-\u0E3A\u0E47-\u0E4E\u0EB1\u0EB4-\u0EBC\u0EC8-\u0ECD\u0F18-\u0F19\u0F35\u0F37\u0F39\u0F3E-\u0F3F\u0F71-\u0F84\u0F86-\u0F87\u0F8D-\u0F97\u0F99-\u0FBC\u0FC6\u102B-\u103E\u1056-\u1059\u105E-\u1060\u1062-\u1064\u1067-\u106D\u1071-\u1074\u1082-\u108D\u108F\u109A-\u109D\u135D-\u135F\u1712-\u1715\u1732-\u1734\u1752-\u1753\u1772-\u1773\u17B4-\u17D3\u17DD\u180B-\u180D\u180F\u1885-\u1886\u18A9\u1920-\u192B\u1930-\u193B\u1A17-\u1A1B\u1A55-\u1A5E\u1A60-\u1A7C\u1A7F\u1AB0-\u1ACE\u1B00-\u1B04\u1B34-\u1B44\u1B6B-\u1B73\u1B80-\u1B82\u1BA1-\u1BAD\u1BE6-\u1BF3\u1C24-\u1C37\u1CD0-\u1CD2\u1CD4-\u1CE8\u1CED\u1CF4\u1CF7-\u1CF9\u1DC0-\u1DFF\u20D0-\u20F0\u2CEF-\u2CF1\u2D7F\u2DE0-\u2DFF\u302A-\u302F\u3099-\u309A\uA66F-\uA672\uA674-\uA67D\uA69E-\uA69F\uA6F0-\uA6F1\uA802\uA806\uA80B\uA823-\uA827\uA82C\uA880-\uA881\uA8B4-\uA8C5\uA8E0-\uA8F1\uA8FF\uA926-\uA92D\uA947-\uA953\uA980-\uA983\uA9B3-\uA9C0\uA9E5\uAA29-\uAA36\uAA43\uAA4C-\uAA4D\uAA7B-\uAA7D\uAAB0\uAAB2-\uAAB4\uAAB7-\uAAB8\uAABE-\uAABF\uAAC1\uAAEB-\uAAEF\uAAF5-\uAAF6\uABE3-\uABEA\uABEC-\uABED\uFB1E\uFE00-\uFE0F\uFE20-\uFE2F\U000101FD\U000102E0\U00010376-\U0001037A\U00010A01-\U00010A03\U00010A05-\U00010A06\U00010A0C-\U00010A0F\U00010A38-\U00010A3A\U00010A3F\U00010AE5-\U00010AE6\U00010D24-\U00010D27\U00010EAB-\U00010EAC\U00010F46-\U00010F50\U00010F82-\U00010F85\U00011000-\U00011002\U00011038-\U00011046\U00011070\U00011073-\U00011074\U0001107F-\U00011082\U000110B0-\U000110BA\U000110C2\U00011100-\U00011102\U00011127-\U00011134\U00011145-\U00011146\U00011173\U00011180-\U00011182\U000111B3-\U000111C0\U000111C9-\U000111CC\U000111CE-\U000111CF\U0001122C-\U00011237\U0001123E\U000112DF-\U000112EA\U00011300-\U00011303\U0001133B-\U0001133C\U0001133E-\U00011344\U00011347-\U00011348\U0001134B-\U0001134D\U00011357\U00011362-\U00011363\U00011366-\U0001136C\U00011370-\U00011374\U00011435-\U00011446\U0001145E\U000114B0-\U000114C3\U000115AF-\U000115B5\U000115B8-\U000115C0\U000115DC-\U000115DD\U00011630-\U00011640\U000116AB-\U000116B7\U0001171D-\U0001172B\U0001182C-\U0001183A\U00011930-\U00011935\U00011937-\U00011938\U0001193B-\U0001193E\U00011940\U00011942-\U00011943\U000119D1-\U000119D7\U000119DA-\U000119E0\U000119E4\U00011A01-\U00011A0A\U00011A33-\U00011A39\U00011A3B-\U00011A3E\U00011A47\U00011A51-\U00011A5B\U00011A8A-\U00011A99\U00011C2F-\U00011C36\U00011C38-\U00011C3F\U00011C92-\U00011CA7\U00011CA9-\U00011CB6\U00011D31-\U00011D36\U00011D3A\U00011D3C-\U00011D3D\U00011D3F-\U00011D45\U00011D47\U00011D8A-\U00011D8E\U00011D90-\U00011D91\U00011D93-\U00011D97\U00011EF3-\U00011EF6\U00016AF0-\U00016AF4\U00016B30-\U00016B36\U00016F4F\U00016F51-\U00016F87\U00016F8F-\U00016F92\U00016FE4\U00016FF0-\U00016FF1\U0001BC9D-\U0001BC9E\U0001CF00-\U0001CF2D\U0001CF30-\U0001CF46\U0001D165-\U0001D169\U0001D16D-\U0001D172\U0001D17B-\U0001D182\U0001D185-\U0001D18B\U0001D1AA-\U0001D1AD\U0001D242-\U0001D244\U0001DA00-\U0001DA36\U0001DA3B-\U0001DA6C\U0001DA75\U0001DA84\U0001DA9B-\U0001DA9F\U0001DAA1-\U0001DAAF\U0001E000-\U0001E006\U0001E008-\U0001E018\U0001E01B-\U0001E021\U0001E023-\U0001E024\U0001E026-\U0001E02A\U0001E130-\U0001E136\U0001E2AE\U0001E2EC-\U0001E2EF\U0001E8D0-\U0001E8D6\U0001E944-\U0001E94A\U000E0100-\U000E01EF]
{%- endmacro %}

{% macro postgres__cts_engine_functions_sql() -%}
create schema if not exists cts_engine;
create extension if not exists pgcrypto schema cts_engine;

{#- A double's exact value as a numeric (its bits decoded: mantissa times a power of two). -#}
create or replace function cts_engine.cts_exact_numeric(value double precision)
returns numeric
language plpgsql immutable strict parallel safe
as $cts$
declare
    bits bigint := ('x' || encode(float8send(value), 'hex'))::bit(64)::bigint;
    biased_exponent integer := ((bits >> 52) & 2047)::integer;
    mantissa numeric := (bits & 4503599627370495)::numeric;
    exponent integer;
    result numeric;
begin
    if biased_exponent = 0 then
        exponent := -1074;
    else
        mantissa := mantissa + 4503599627370496;
        exponent := biased_exponent - 1075;
    end if;
    result := mantissa;
    if exponent >= 0 then
        for i in 1..exponent loop
            result := result * 2;
        end loop;
    else
        -- m * 2^-n = m * 5^n / 10^n, both exact in numeric
        for i in 1..-exponent loop
            result := result * 5;
        end loop;
        result := result * ('1e' || exponent)::numeric;
    end if;
    return case when bits < 0 then -result else result end;
end;
$cts$;

{#- a * b + c with one rounding (a fused multiply-add), exact through numeric. -#}
create or replace function cts_engine.cts_fused_multiply_add(
    a double precision, b double precision, c double precision
)
returns double precision
language sql immutable strict parallel safe
as $cts$
    select (
        cts_engine.cts_exact_numeric(a) * cts_engine.cts_exact_numeric(b)
        + cts_engine.cts_exact_numeric(c)
    )::double precision
$cts$;

{#- log2 as DuckDB computes it (correctly rounded): through the double's exact value in numeric,
    not ln(x) / ln(2), which is off in the last bit for about a quarter of values. -#}
create or replace function cts_engine.cts_log2(value double precision)
returns double precision
language sql immutable strict parallel safe
as $cts$
    select (
        ln(cts_engine.cts_exact_numeric(value))
        / ln(2.000000000000000000000000000000000000000000000000000000000000)
    )::double precision
$cts$;

{#- Jaro-Winkler as DuckDB computes it: match window max(len)/2 - 1 (at least 0), the prefix
    bonus (common prefix of at most 4, weight 0.1) only above a Jaro similarity of 0.7, two
    empty strings 0. -#}
create or replace function cts_engine.cts_jaro_winkler(left_text text, right_text text)
returns double precision
language plpgsql immutable strict parallel safe
as $cts$
declare
    left_length integer := char_length(left_text);
    right_length integer := char_length(right_text);
    left_chars text[] := regexp_split_to_array(left_text, '');
    right_chars text[] := regexp_split_to_array(right_text, '');
    window_size integer;
    left_matched boolean[];
    right_matched boolean[];
    matches integer := 0;
    transpositions integer := 0;
    position_in_right integer := 1;
    prefix integer := 0;
    similarity double precision;
begin
    if left_length = 0 or right_length = 0 then
        return 0.0;
    end if;
    window_size := greatest(greatest(left_length, right_length) / 2 - 1, 0);
    left_matched := array_fill(false, array[left_length]);
    right_matched := array_fill(false, array[right_length]);
    for i in 1..left_length loop
        for j in greatest(1, i - window_size)..least(right_length, i + window_size) loop
            if not right_matched[j] and left_chars[i] = right_chars[j] then
                left_matched[i] := true;
                right_matched[j] := true;
                matches := matches + 1;
                exit;
            end if;
        end loop;
    end loop;
    if matches = 0 then
        return 0.0;
    end if;
    for i in 1..left_length loop
        if left_matched[i] then
            while not right_matched[position_in_right] loop
                position_in_right := position_in_right + 1;
            end loop;
            if left_chars[i] <> right_chars[position_in_right] then
                transpositions := transpositions + 1;
            end if;
            position_in_right := position_in_right + 1;
        end if;
    end loop;
    similarity := (
        matches::double precision / left_length
        + matches::double precision / right_length
        + (matches - transpositions / 2)::double precision / matches
    ) / 3.0::double precision;
    if similarity > 0.7 then
        while prefix < least(4, left_length, right_length)
            and left_chars[prefix + 1] = right_chars[prefix + 1] loop
            prefix := prefix + 1;
        end loop;
        -- DuckDB's x86-64 build fuses this multiply-add (one rounding): so does this.
        similarity := cts_engine.cts_fused_multiply_add(
            prefix * 0.1::double precision, 1.0::double precision - similarity, similarity
        );
    end if;
    return similarity;
end;
$cts$;

{#- Damerau-Levenshtein distance (unrestricted: transpositions of adjacent characters also
    across edits), as DuckDB's damerau_levenshtein. -#}
create or replace function cts_engine.cts_damerau_levenshtein(left_text text, right_text text)
returns integer
language plpgsql immutable strict parallel safe
as $cts$
declare
    left_length integer := char_length(left_text);
    right_length integer := char_length(right_text);
    left_chars text[] := regexp_split_to_array(left_text, '');
    right_chars text[] := regexp_split_to_array(right_text, '');
    width integer := right_length + 2;
    infinity integer := left_length + right_length;
    distances integer[];
    last_row_of_right integer;
    last_left_row integer;
    last_right_column integer;
    cost integer;
begin
    if left_length = 0 then
        return right_length;
    end if;
    if right_length = 0 then
        return left_length;
    end if;
    -- distances[(i + 1) * width + (j + 1) + 1] holds H(i, j) for i in -1..m, j in -1..n
    distances := array_fill(0, array[(left_length + 2) * width]);
    distances[1] := infinity;
    for i in 0..left_length loop
        distances[(i + 1) * width + 1] := infinity;
        distances[(i + 1) * width + 2] := i;
    end loop;
    for j in 0..right_length loop
        distances[j + 2] := infinity;
        distances[width + j + 2] := j;
    end loop;
    for i in 1..left_length loop
        last_right_column := 0;
        for j in 1..right_length loop
            last_left_row := 0;
            for k in reverse i - 1..1 loop
                if left_chars[k] = right_chars[j] then
                    last_left_row := k;
                    exit;
                end if;
            end loop;
            last_row_of_right := last_right_column;
            if left_chars[i] = right_chars[j] then
                cost := 0;
                last_right_column := j;
            else
                cost := 1;
            end if;
            distances[(i + 1) * width + j + 2] := least(
                distances[i * width + j + 1] + cost,
                distances[(i + 1) * width + j + 1] + 1,
                distances[i * width + j + 2] + 1,
                distances[last_left_row * width + last_row_of_right + 1]
                    + (i - last_left_row - 1) + 1 + (j - last_row_of_right - 1)
            );
        end loop;
    end loop;
    return distances[(left_length + 1) * width + right_length + 2];
end;
$cts$;

{#- strip_accents as DuckDB does it: canonical decomposition, every mark removed, composed. -#}
create or replace function cts_engine.cts_strip_accents(value text)
returns text
language sql immutable strict parallel safe
as $cts$
    select normalize(
        regexp_replace(normalize(value, nfd), '{{ cts_unicode_marks_class() }}', '', 'g'), nfc
    )
$cts$;

{#- try_strptime(value, format)::date as DuckDB reads the formats agencies use: each number
    greedily (%Y up to 4 digits, %m %d %y up to 2), %b a three-letter month in any case, %y
    69-99 in the 1900s and 00-68 in the 2000s, year 0 as 1 BC; NULL for anything else,
    including impossible dates (never an error). -#}
create or replace function cts_engine.cts_try_parse_date(value text, date_format text)
returns date
language plpgsql immutable strict parallel safe
as $cts$
declare
    format_position integer := 1;
    value_position integer := 1;
    directive text;
    digits text;
    width integer;
    year_number integer;
    month_number integer;
    day_number integer;
    month_names text[] := array[
        'jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'
    ];
begin
    value := ltrim(value, ' ');
    value := rtrim(value, ' ');
    while format_position <= char_length(date_format) loop
        if substr(date_format, format_position, 1) = '%' then
            directive := substr(date_format, format_position + 1, 1);
            format_position := format_position + 2;
            if directive = 'b' then
                month_number := array_position(
                    month_names, lower(substr(value, value_position, 3))
                );
                if month_number is null then
                    return null;
                end if;
                value_position := value_position + 3;
                continue;
            end if;
            width := case directive when 'Y' then 4 else 2 end;
            digits := substring(substr(value, value_position, width) from '^[0-9]+');
            if digits is null then
                return null;
            end if;
            value_position := value_position + char_length(digits);
            case directive
                when 'Y' then year_number := digits::integer;
                when 'y' then
                    year_number := digits::integer
                        + case when digits::integer >= 69 then 1900 else 2000 end;
                when 'm' then month_number := digits::integer;
                when 'd' then day_number := digits::integer;
                else return null;
            end case;
        else
            if substr(value, value_position, 1)
                <> substr(date_format, format_position, 1) then
                return null;
            end if;
            value_position := value_position + 1;
            format_position := format_position + 1;
        end if;
    end loop;
    if value_position <= char_length(value) or year_number is null
        or month_number is null or day_number is null then
        return null;
    end if;
    begin
        return make_date(case when year_number = 0 then -1 else year_number end,
            month_number, day_number);
    exception when others then
        return null;
    end;
end;
$cts$;

{#- HMAC-SHA256 under the key in the session setting cts.pseudonym_key (cts sets it through
    PGOPTIONS), the first 16 hex digits, as runner/cts/pseudonym.py. -#}
create or replace function cts_engine.cts_pseudonym(value text)
returns text
language sql stable strict parallel safe
as $cts$
    select left(encode(cts_engine.hmac(
        convert_to(value, 'UTF8'),
        convert_to(current_setting('cts.pseudonym_key'), 'UTF8'),
        'sha256'
    ), 'hex'), 16)
$cts$
{%- endmacro %}
