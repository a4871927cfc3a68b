using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Muster.Contracts.Amp;
using Muster.Server.Tokens;

namespace Muster.Server.Hosting;

/// <summary>
/// A handler parameter bound once, before the handler runs, from who asks and what the route names (a crew, a run). A
/// binding that fails carries the AMP error to answer instead (<see cref="Refusal"/>): every endpoint with such a parameter
/// gets a filter that answers it, so a handler only ever sees a binding that succeeded. A handler still declares the
/// route's id (<c>string kickoff_id</c>, <c>string id</c>): the API description lists a route's path parameters from its
/// handler's parameters, and a bound parameter is not one of them.
/// </summary>
internal abstract class RouteBinding(JsonHttpResult<ErrorResponse>? refusal) : IEndpointParameterMetadataProvider
{
    /// <summary>The answer in place of the handler's (a 404 in the AMP error body); null when the binding succeeded.</summary>
    public JsonHttpResult<ErrorResponse>? Refusal { get; } = refusal;

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(builder);
        var position = parameter.Position;
        builder.FilterFactories.Add((_, next) => invocation =>
            invocation.Arguments[position] is RouteBinding { Refusal: { } refusal } ? ValueTask.FromResult<object?>(refusal) : next(invocation));
    }

    /// <summary>The caller, whom authentication put in the request (every route with a binding requires a token).</summary>
    protected static MusterPrincipal PrincipalOf(HttpContext context) =>
        context.Items[typeof(MusterPrincipal)] as MusterPrincipal
        ?? throw new InvalidOperationException($"{context.Request.Path} binds a run or crew but does not require a token (RequireAuthorization).");

    /// <summary>What a refused binding's members throw: the filter answers the refusal, so no handler ever reads them.</summary>
    protected static InvalidOperationException Refused() => new("A refused binding never reaches a handler.");

    /// <summary>A value the route template names (<c>{kickoff_id}</c>, <c>{id}</c>).</summary>
    protected static string RouteValue(HttpContext context, string name) =>
        context.Request.RouteValues[name] as string ?? throw new InvalidOperationException($"The route {context.Request.Path} has no {{{name}}}.");
}
