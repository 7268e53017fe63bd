using System.CommandLine;
using ChangeWatch.Cli.Commands;

var root = new RootCommand("ChangeWatch: imagery change detection for ceasefire monitoring, on Azure Functions or locally on Azurite.")
{
    RunCommand.Create(),
    UploadCommand.Create(),
    StatusCommand.Create(),
    DemoCommand.Create(),
    ReviewCommand.Create(),
    ReportsCommand.Create(),
    ExportReviewsCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
