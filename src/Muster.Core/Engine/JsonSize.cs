using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Muster.Core.Engine;

/// <summary>
/// The size of a JSON node as System.Text.Json writes it (UTF-8 bytes, default encoder: what the store counts), measured
/// without building the text: the writer writes into one reused buffer and only the bytes are counted. Not thread-safe.
/// </summary>
internal sealed class JsonSize : IBufferWriter<byte>, IDisposable
{
    private readonly byte[] _buffer = new byte[4096];
    private readonly Utf8JsonWriter _writer;
    private long _written;

    public JsonSize() => _writer = new Utf8JsonWriter(this);

    public long Of(JsonNode node)
    {
        _written = 0;
        _writer.Reset(this);
        node.WriteTo(_writer);
        _writer.Flush();
        return _written;
    }

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0) => sizeHint <= _buffer.Length ? _buffer : new byte[sizeHint];

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public void Dispose() => _writer.Dispose();
}
