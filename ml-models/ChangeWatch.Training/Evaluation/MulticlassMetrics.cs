using System.Globalization;
using System.Text;

namespace ChangeWatch.Training.Evaluation;

/// <summary>Confusion matrix (rows: true class, columns: predicted), per-class precision, recall and F1, macro-F1 and accuracy.</summary>
internal sealed class MulticlassMetrics
{
    public MulticlassMetrics(IReadOnlyList<string> classes, IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        Classes = classes;
        Confusion = new int[classes.Count, classes.Count];
        for (var i = 0; i < truth.Count; i++)
        {
            Confusion[truth[i], Math.Clamp(predicted[i], 0, classes.Count - 1)]++;
        }

        var f1 = new double[classes.Count];
        var correct = 0;
        for (var c = 0; c < classes.Count; c++)
        {
            int tp = Confusion[c, c], row = 0, column = 0;
            for (var k = 0; k < classes.Count; k++)
            {
                row += Confusion[c, k];
                column += Confusion[k, c];
            }

            correct += tp;
            var p = column == 0 ? 0 : (double)tp / column;
            var r = row == 0 ? 0 : (double)tp / row;
            f1[c] = p + r == 0 ? 0 : 2 * p * r / (p + r);
        }

        F1 = f1;
        MacroF1 = f1.Average();
        Accuracy = truth.Count == 0 ? 0 : (double)correct / truth.Count;
        Count = truth.Count;
    }

    public IReadOnlyList<string> Classes { get; }

    public int[,] Confusion { get; }

    public IReadOnlyList<double> F1 { get; }

    public double MacroF1 { get; }

    public double Accuracy { get; }

    public int Count { get; }

    /// <summary>The confusion matrix as a Markdown table, with per-class F1.</summary>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine("| true \\ predicted | " + string.Join(" | ", Classes) + " | F1 |");
        s.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", Classes.Count)) + "---|");
        for (var r = 0; r < Classes.Count; r++)
        {
            s.Append(c, $"| {Classes[r]} |");
            for (var k = 0; k < Classes.Count; k++)
            {
                s.Append(c, $" {Confusion[r, k]} |");
            }

            s.AppendLine(c, $" {F1[r]:F3} |");
        }

        return s.ToString();
    }

    /// <summary>Rows of the confusion matrix, for JSON.</summary>
    public int[][] Rows() => [.. Enumerable.Range(0, Classes.Count).Select(r => Enumerable.Range(0, Classes.Count).Select(k => Confusion[r, k]).ToArray())];
}
