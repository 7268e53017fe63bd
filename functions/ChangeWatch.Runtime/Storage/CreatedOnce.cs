using System.Collections.Concurrent;

namespace ChangeWatch.Runtime.Storage;

/// <summary>
/// Creates a named storage resource (container, queue, table) once per process on first use. A failed creation is not
/// cached, so a storage account that was briefly unreachable is retried on the next call.
/// </summary>
internal sealed class CreatedOnce<T>(Func<string, Task<T>> create)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<T>>> _items = new(StringComparer.Ordinal);

    public async Task<T> GetAsync(string name)
    {
        var item = _items.GetOrAdd(name, n => new Lazy<Task<T>>(() => create(n)));
        try
        {
            return await item.Value.ConfigureAwait(false);
        }
        catch
        {
            _items.TryRemove(KeyValuePair.Create(name, item));
            throw;
        }
    }
}
