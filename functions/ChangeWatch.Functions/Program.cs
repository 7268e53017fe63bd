using ChangeWatch.Runtime;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// The isolated worker: the Functions host (in Azure) owns the triggers and calls the functions in Functions/ over gRPC.
// Everything the functions need (handlers, storage adapters, validated options) comes from AddChangeWatch, shared
// with ChangeWatch.LocalHost.
var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddChangeWatch(builder.Configuration);
builder.Build().Run();
