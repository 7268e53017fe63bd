using Microsoft.Azure.WebJobs;

namespace ChangeWatch.LocalHost;

/// <summary>
/// Tells the WebJobs SDK exactly which classes hold functions. The SDK's default locator scans the entry assembly and
/// its references, which would be whatever program started the host (the <c>changewatch</c> CLI, a test runner).
/// </summary>
internal sealed class LocalFunctionTypeLocator : ITypeLocator
{
    public IReadOnlyList<Type> GetTypes() => LocalHostBuilder.FunctionTypes;
}
