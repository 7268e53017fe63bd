using System.Reflection;
using ChangeWatch.LocalHost;
using Microsoft.Azure.WebJobs;

namespace ChangeWatch.Hosting.Tests;

/// <summary>The functions of the local host, read from the attributes of its classes.</summary>
internal static class LocalHostFunctions
{
    public static Assembly Assembly => typeof(LocalHostBuilder).Assembly;

    /// <summary>Every public method with <see cref="FunctionNameAttribute"/> in the local host assembly.</summary>
    public static IReadOnlyList<(string Name, Type Class, MethodInfo Method)> All() =>
        Assembly.GetExportedTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(method => (Attribute: method.GetCustomAttribute<FunctionNameAttribute>(), Method: method))
            .Where(found => found.Attribute is not null)
            .Select(found => (found.Attribute!.Name, found.Method.DeclaringType!, found.Method))
            .ToList();

    /// <summary>The trigger of a local function, described as functions.metadata describes it.</summary>
    public static TriggerDescription Describe(string name, MethodInfo method)
    {
        var triggers = method.GetParameters()
            .SelectMany(parameter => parameter.GetCustomAttributes())
            .Where(attribute => attribute.GetType().Name.EndsWith("TriggerAttribute", StringComparison.Ordinal))
            .ToList();
        Assert.True(triggers.Count == 1, $"Local function {name} has {triggers.Count} trigger attributes, expected 1.");
        return triggers[0] switch
        {
            BlobTriggerAttribute blob => new TriggerDescription(name, "blobTrigger", blob.BlobPath, blob.Connection),
            QueueTriggerAttribute queue => new TriggerDescription(name, "queueTrigger", queue.QueueName, queue.Connection),
            var other => new TriggerDescription(name, other.GetType().Name, "?", "?"),
        };
    }

    /// <summary>Constructor parameter types of a function class that come from ChangeWatch.Core: the handler(s) it calls.</summary>
    public static IReadOnlyList<Type> CoreDependencies(Type functionClass)
    {
        var core = typeof(Core.Pipeline.StorageNames).Assembly;
        var constructors = functionClass.GetConstructors();
        Assert.True(constructors.Length == 1, $"{functionClass} has {constructors.Length} public constructors, expected 1.");
        return constructors[0].GetParameters()
            .Select(parameter => parameter.ParameterType)
            .Where(type => type.Assembly == core)
            .OrderBy(type => type.FullName, StringComparer.Ordinal)
            .ToList();
    }
}
