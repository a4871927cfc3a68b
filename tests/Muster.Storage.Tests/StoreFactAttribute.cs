using Xunit.Abstractions;
using Xunit.Sdk;

namespace Muster.Storage.Tests;

/// <summary>
/// A fact of the behaviour suite. It runs for every provider subclass, unless the subclass carries
/// <see cref="RequiresEnvironmentAttribute"/> and that variable is unset: then it is reported as skipped, with the reason.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Muster.Storage.Tests.StoreFactDiscoverer", "Muster.Storage.Tests")]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>Names the environment variable a provider's suite needs (for example a database connection string).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresEnvironmentAttribute(string variable, string reason) : Attribute
{
    public string Variable { get; } = variable;
    public string Reason { get; } = reason;
}

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var requirement = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresEnvironmentAttribute)).FirstOrDefault();
        if (requirement is not null)
        {
            var variable = requirement.GetConstructorArguments().First() as string ?? "";
            var reason = requirement.GetConstructorArguments().Skip(1).First() as string ?? "";
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
            {
                return new XunitSkippedDataRowTestCase(
                    DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(),
                    testMethod, $"{variable} is not set: {reason}");
            }
        }

        return base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
    }
}
