using Muster.Core.Crews;

namespace Muster.Server.Console;

/// <summary><c>/ui/crews</c>: each crew's agents and tasks as loaded, the crews that failed to load, and a kickoff form per crew.</summary>
internal static class CrewsPage
{
    public static IResult Render(ConsolePage page, ConsoleBackend backend, string? problemCrew = null, string? problem = null, IFormCollection? form = null)
    {
        var crews = backend.Crews(page.Principal);
        var failures = page.Principal.IsOrganization && page.Principal.Crews.Count == 0 ? backend.CrewFailures() : [];
        var failed = failures.Count == 0
            ? Markup.Empty
            : Html.Render($"<section><h2>Crews that failed to load</h2><ul class=\"failures\">{Html.Join(failures.Select(f => Html.Render($"<li><b>{f.Name}</b>: <span class=\"error\">{f.Reason}</span></li>")))}</ul></section>");
        var list = crews.Count == 0
            ? Html.Render($"<p class=\"empty\">No crew is loaded that this token covers.</p>")
            : Html.Join(crews.Select(crew => Crew(page, crew, crew.Name == problemCrew ? problem : null, crew.Name == problemCrew ? form : null)));
        return page.Render("Crews", Html.Render($"<h1>Crews</h1>{failed}{list}"), problem is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }

    private static Markup Crew(ConsolePage page, CrewDefinition crew, string? problem, IFormCollection? form)
    {
        var agents = Html.Join(crew.Agents.Select(agent => Html.Render($"<li><b>{agent.Role}</b> <span class=\"sub\">({agent.Key})</span>: {agent.Goal}</li>")));
        var tasks = Html.Join(crew.Tasks.Select(task => Html.Render(
            $"<li><b>{task.Name}</b>{(task.Agent is null ? string.Empty : " → " + task.Agent)}{(task.HumanInput ? " · human review" : string.Empty)}<div class=\"sub\">{task.Description}</div></li>")));
        var fields = Html.Join(crew.Inputs.Select(input => Html.Render($"""
            <label for="input-{crew.Name}-{input}">{input}</label><textarea id="input-{crew.Name}-{input}" name="input.{input}" rows="2" required>{form?["input." + input].ToString()}</textarea>
            """)));
        var error = problem is null ? Markup.Empty : Html.Render($"<p class=\"notice\" role=\"alert\">{problem}</p>");
        return Html.Render($"""
            <article class="crew" id="crew-{crew.Name}">
            <h2>{crew.Name}</h2>
            {(crew.Description is { } description ? Html.Render($"<p>{description}</p>") : Markup.Empty)}
            <div class="columns"><div><h3>Agents</h3><ul>{agents}</ul></div><div><h3>Tasks ({crew.Process.ToString().ToLowerInvariant()})</h3><ol>{tasks}</ol></div></div>
            <form class="kickoff" method="post" action="/ui/crews/{crew.Name}/kickoff">{page.AntiforgeryField}
            <h3>Kickoff</h3>{error}{fields}
            <button type="submit">Kick off {crew.Name}</button>
            </form>
            </article>
            """);
    }
}
