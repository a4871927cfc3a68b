using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Muster.Server.Console;
using Muster.Server.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The web console under <c>/ui</c>.</summary>
public static class ConsoleServiceCollectionExtensions
{
    /// <summary>Sessions, anti-forgery, the shared live feeds and the console's facade over the server's services.</summary>
    public static MusterBuilder AddConsole(this MusterBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<ConsoleOptions>()
            .BindConfiguration(ConsoleOptions.Section)
            .ValidateDataAnnotations();
        services.AddDataProtection().SetApplicationName("Muster");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>, ConsoleKeyFolder>();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "muster_antiforgery";
            options.Cookie.Path = ConsoleSessions.CookiePath;
            options.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
            // The console sends X-Frame-Options: DENY itself, with frame-ancestors 'none'.
            options.SuppressXFrameOptionsHeader = true;
        });
        services.TryAddSingleton<ConsoleBackend>();
        services.TryAddSingleton<ConsoleSessions>();
        services.TryAddSingleton<RunFeed>();
        services.TryAddSingleton<RunListFeed>();
        return builder.Added(MusterFeatures.Console);
    }

    /// <summary>Maps <c>/ui</c> with its security headers; needs <see cref="AddConsole"/>.</summary>
    public static WebApplication MapMusterConsole(this WebApplication app)
    {
        MusterFeatures.Require(app, nameof(MapMusterConsole), MusterFeatures.Muster, MusterFeatures.Console);

        app.Use(ConsoleSecurityHeaders.ApplyAsync);
        ConsoleEndpoints.Map(app);
        return app;
    }
}
