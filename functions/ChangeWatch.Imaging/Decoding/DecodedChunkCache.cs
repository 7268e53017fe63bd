using System.Buffers;

namespace ChangeWatch.Imaging.Decoding;

/// <summary>
/// A least-recently-used set of decoded chunks (strips or tiles) held in pooled buffers, bounded by a byte budget, so
/// neighbouring windows that share a strip or tile decode it once. Not thread-safe.
/// </summary>
internal sealed class DecodedChunkCache(long budgetBytes) : IDisposable
{
    private readonly Dictionary<int, LinkedListNode<Entry>> _byKey = [];
    private readonly LinkedList<Entry> _order = new();
    private long _used;

    public long BudgetBytes => budgetBytes;

    /// <summary>True when a chunk of this size may be kept (at most half the budget, so two neighbours fit).</summary>
    public bool CanHold(long bytes) => bytes <= budgetBytes / 2;

    public bool TryGet(int key, out byte[] buffer)
    {
        if (_byKey.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            _order.AddFirst(node);
            buffer = node.Value.Buffer;
            return true;
        }

        buffer = [];
        return false;
    }

    /// <summary>Takes ownership of a buffer rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
    public void Add(int key, byte[] buffer, int length)
    {
        while (_used + length > budgetBytes && _order.Last is { } last)
        {
            Evict(last);
        }

        _byKey[key] = _order.AddFirst(new Entry(key, buffer, length));
        _used += length;
    }

    public void Dispose()
    {
        while (_order.Last is { } last)
        {
            Evict(last);
        }
    }

    private void Evict(LinkedListNode<Entry> node)
    {
        _order.Remove(node);
        _byKey.Remove(node.Value.Key);
        _used -= node.Value.Length;
        ArrayPool<byte>.Shared.Return(node.Value.Buffer);
    }

    private readonly record struct Entry(int Key, byte[] Buffer, int Length);
}
