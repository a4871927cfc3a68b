using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Muster.Contracts;
using Muster.Contracts.Tokens;

namespace Muster.Server.Hosting;

/// <summary>
/// What the OpenAPI generator cannot see for itself. <see cref="TokenUsage"/> and <see cref="CrewBudget"/> are written and
/// read by their own JSON converters, so the generator finds no properties and would describe them as "anything"; here they
/// get the fields their converters write and accept. The kickoffs' 429 gets the <c>Retry-After</c> header it carries, and
/// every route its path parameters.
/// </summary>
internal static class ApiDocSchemas
{
    public static Task DescribeAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type == typeof(TokenUsage))
        {
            DescribeTokenUsage(schema);
        }
        else if (context.JsonTypeInfo.Type == typeof(CrewBudget))
        {
            DescribeBudget(schema);
        }
        else if (context.JsonTypeInfo.Type == typeof(TokenLimitsModel))
        {
            BoundLimits(schema);
        }

        return Task.CompletedTask;
    }

    public static Task DescribeRetryAfterAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.Responses?.TryGetValue("429", out var answer) == true && answer is OpenApiResponse tooMany)
        {
            tooMany.Description = "This token's spending limit (its `limits`) is reached: nothing is started (docs/COSTS.md).";
            tooMany.Headers ??= new Dictionary<string, IOpenApiHeader>();
            tooMany.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Whole seconds until the limit's window resets (the next UTC midnight, or the next month's first day).",
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
            };
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Every <c>{name}</c> of a route is a required path parameter. Routes that read theirs from the route values (the AMP
    /// routes' <c>{crew}</c>, read by <c>CrewRoute</c>) bind no parameter the generator could see.
    /// </summary>
    public static Task DescribePathParametersAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var segment in (context.Description.RelativePath ?? string.Empty).Split('/'))
        {
            if (segment is not ['{', .., '}'])
            {
                continue;
            }

            var name = segment[1..^1].Split(':')[0].TrimStart('*');
            operation.Parameters ??= [];
            if (!operation.Parameters.Any(p => p.In == ParameterLocation.Path && p.Name == name))
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Path,
                    Required = true,
                    Description = name == "crew" ? "The name of a deployed crew (`GET /api/crews` lists those the token covers)." : null,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }
        }

        return Task.CompletedTask;
    }

    // As TokenUsageJsonConverter writes it: every field, always, in this order; cost_usd null (never left out) when unknown.
    private static void DescribeTokenUsage(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.Object;
        schema.Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["total_tokens"] = Count("prompt_tokens + completion_tokens."),
            ["prompt_tokens"] = Count("Input tokens, summed over the LLM calls as the providers reported them."),
            ["completion_tokens"] = Count("Output tokens, summed over the LLM calls as the providers reported them."),
            ["cached_prompt_tokens"] = Count("The part of prompt_tokens the provider served from its prompt cache; 0 when it does not say."),
            ["successful_requests"] = Count("LLM calls that returned an answer."),
            ["cost_usd"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Number | JsonSchemaType.Null,
                Description = "What the calls cost in US dollars at the configured prices; null when a call's model has no price " +
                    "(a sum with an unknown part is unknown), never 0 for an unpriced call (docs/COSTS.md).",
            },
        };
        schema.Required = new HashSet<string>(schema.Properties.Keys, StringComparer.Ordinal);
    }

    // As CrewBudgetJsonConverter reads it: each limit optional (null is the same as absent) and positive; any other field is a 400.
    private static void DescribeBudget(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.Object;
        schema.AdditionalPropertiesAllowed = false;
        schema.Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["max_total_tokens"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer | JsonSchemaType.Null,
                Format = "int64",
                Minimum = "1",
                Description = "Prompt plus completion tokens over every LLM call of the run.",
            },
            ["max_cost_usd"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Number | JsonSchemaType.Null,
                ExclusiveMinimum = "0",
                Description = "US dollars over every LLM call of the run, at the configured prices.",
            },
            ["max_llm_calls"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer | JsonSchemaType.Null,
                Format = "int64",
                Minimum = "1",
                Description = "LLM calls: once the answered and in-flight calls number this many, the next is refused.",
            },
            ["max_duration"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Number | JsonSchemaType.String | JsonSchemaType.Null,
                Description = "Time the run works, in seconds (above 0), or a string: \"90s\", \"10m\", \"1h30m\", \"hh:mm:ss\". " +
                    "Time paused for human review is not counted.",
                Examples = [JsonValue.Create(900), JsonValue.Create("1h30m")],
            },
        };
    }

    // As TokenRules checks them: a token limit is a positive count; a cost limit is positive, at most a billion dollars.
    private static void BoundLimits(OpenApiSchema schema)
    {
        foreach (var name in new[] { "max_tokens_per_day", "max_tokens_per_month" })
        {
            if (schema.Properties?.TryGetValue(name, out var property) == true && property is OpenApiSchema tokens)
            {
                tokens.Minimum = "1";
            }
        }

        foreach (var name in new[] { "max_cost_usd_per_day", "max_cost_usd_per_month" })
        {
            if (schema.Properties?.TryGetValue(name, out var property) == true && property is OpenApiSchema cost)
            {
                cost.ExclusiveMinimum = "0";
                cost.Maximum = "1000000000";
                cost.Description += " At most 9 decimals (costs are kept as whole nano-dollars).";
            }
        }
    }

    private static OpenApiSchema Count(string description) => new()
    {
        Type = JsonSchemaType.Integer,
        Format = "int64",
        Description = description,
    };
}
