namespace Muster.Bench;

/// <summary>Starts the ceiling app answering each named body from memory.</summary>
internal static class Ceiling
{
    public static async Task<ChildProcess> StartAsync(string workDir, string scenario, IReadOnlyDictionary<string, string> bodies)
    {
        var folder = Path.Combine(workDir, scenario, "ceiling");
        Directory.CreateDirectory(folder);
        foreach (var (name, body) in bodies)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, name + ".json"), body);
        }

        return await Roles.StartSelfAsync("ceiling", ["ceiling", "--body-dir", folder]);
    }

    public static HttpRequestMessage Get(ChildProcess ceiling, string name) => new(HttpMethod.Get, new Uri(ceiling.Url, "/" + name));

    public static HttpRequestMessage Post(ChildProcess ceiling, string name, string body) => new(HttpMethod.Post, new Uri(ceiling.Url, "/" + name))
    {
        Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
    };
}
