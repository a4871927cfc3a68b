using System.Text.Json;
using System.Text.Json.Nodes;

namespace Muster.Cli.Infrastructure;

/// <summary>A kickoff's inputs: a JSON file's object, then each <c>--input key=value</c> (a string) over it.</summary>
internal static class InputValues
{
    public static JsonObject Build(FileInfo? file, IReadOnlyList<string> pairs)
    {
        var inputs = file is null ? [] : Read(file);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"--input '{pair}' is not key=value");
            }

            inputs[pair[..equals].Trim()] = pair[(equals + 1)..];
        }

        return inputs;
    }

    private static JsonObject Read(FileInfo file)
    {
        try
        {
            using var stream = file.OpenRead();
            return JsonNode.Parse(stream) as JsonObject
                ?? throw new UsageException($"--inputs-file {file.FullName} must hold a JSON object of input names to values");
        }
        catch (JsonException ex)
        {
            throw new UsageException($"--inputs-file {file.FullName} is not valid JSON: {ex.Message}");
        }
        catch (IOException ex)
        {
            throw new UsageException($"--inputs-file {file.FullName} cannot be read: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new UsageException($"--inputs-file {file.FullName} cannot be read: {ex.Message}");
        }
    }
}
