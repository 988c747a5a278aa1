// Following a run that runs elsewhere, as a user does it: distillery-cli distills into a folder
// in its own process, and the workbench (the real window, offscreen) follows that folder through
// File → Follow a run folder…, clicked in the menu bar, the folder typed into the dialog. What is
// checked is what is on screen: the plots' points, the iteration in the status bar, the images.
#include <QAction>
#include <QAbstractItemView>
#include <QCompleter>
#include <QDir>
#include <QDirIterator>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <memory>

#include "cli_support.h"
#include "test_support.h"
#include "widgets/hyperparameter_panel.h"
#include "widgets/image_grid_view.h"
#include "widgets/loss_plot_view.h"
#include "widgets/lr_plot_view.h"
#include "widgets/soft_label_view.h"
#include "workbench/main_window.h"

using namespace distillery::ui;

namespace {

// What the window must show within this long. A failing QTRY waits three times as long before
// it reports, which stays within Qt Test's 5 minutes per test function.
constexpr int kTimeout = 40000;
// How long the tiny CLI runs may take on a busy machine.
constexpr int kRunTimeout = 240000;

// The files of a folder with their sizes and times: what following must leave as the run wrote it.
QMap<QString, QString> folderListing(const QString& folder) {
    QMap<QString, QString> files;
    for (const QFileInfo& f : QDir(folder).entryInfoList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot))
        files.insert(f.fileName(), QString::number(f.size()) + ' ' + QString::number(f.lastModified().toMSecsSinceEpoch()));
    return files;
}

int distinctColours(const QImage& image) {
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2) colours.insert(image.pixel(x, y));
    return colours.size();
}

}  // namespace

class TestFollow : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString experts_;

    std::unique_ptr<MainWindow> openWindow() {
        StartOptions o;
        o.overrides = {"train_per_class=20"};
        o.experts_dir = experts_;
        o.runs_dir = tmp_.filePath("runs");
        o.remember = false;
        auto w = std::make_unique<MainWindow>(o);
        w->resize(1400, 900);
        w->show();
        return w;
    }

    // The iteration the status bar says the followed run is at ("Iteration 37 / 400"); -1: none.
    static qint64 shownIteration(const MainWindow& w) {
        const auto match = QRegularExpression(QStringLiteral("Iteration (\\d+) / (\\d+)")).match(w.statusText());
        return match.hasMatch() ? match.captured(1).toLongLong() : -1;
    }

    // The folder dialog as a person answers it: the path typed into its name field, a completion
    // list that pops up dismissed with Escape, then Enter. Armed before the dialog opens (it is
    // modal: it runs its own event loop); a dialog still open after 20 tries is cancelled, so that
    // a broken dialog fails the test instead of hanging it.
    static std::shared_ptr<QTimer> answerFolderDialog(const QString& folder, QString* title) {
        auto timer = std::make_shared<QTimer>();
        timer->setInterval(200);
        auto tries = std::make_shared<int>(0);
        QObject::connect(timer.get(), &QTimer::timeout, [folder, title, tries, t = timer.get()] {
            auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
            if (!dialog || !dialog->isVisible()) return;
            auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
            if (!name) return;
            *title = dialog->windowTitle();
            if (++*tries > 20) {
                t->stop();
                dialog->reject();
                return;
            }
            name->setFocus();
            if (name->text() != folder) {
                QTest::keyClick(name, Qt::Key_A, Qt::ControlModifier);
                QTest::keyClicks(name, folder);
            }
            if (QCompleter* completer = name->completer(); completer && completer->popup()->isVisible())
                QTest::keyClick(completer->popup(), Qt::Key_Escape);
            else
                QTest::keyClick(name, Qt::Key_Return);
        });
        timer->start();
        return timer;
    }

    // File → Follow a run folder…, with the mouse: the menu bar's File, then the entry.
    static void followThroughTheFileMenu(MainWindow& w, const QString& folder) {
        QMenuBar* bar = w.menuBar();
        QAction* file = bar->actions().first();
        QCOMPARE(file->text().remove('&'), QString("File"));
        QString dialog_title;
        const auto answer = answerFolderDialog(folder, &dialog_title);
        QTest::mouseClick(bar, Qt::LeftButton, {}, bar->actionGeometry(file).center());
        QTRY_VERIFY(qobject_cast<QMenu*>(QApplication::activePopupWidget()) != nullptr);
        auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
        QAction* follow = w.action("follow_run");
        QVERIFY(menu->actions().contains(follow));
        QVERIFY(follow->isEnabled());
        // The item is chosen with the keyboard in the open menu: Qt 6.8's offscreen menus leave a
        // synthetic click on an item of a menu-bar menu unanswered (Qt 6.4's take it).
        for (int i = 0; i < menu->actions().size() && menu->activeAction() != follow; ++i) QTest::keyClick(menu, Qt::Key_Down);
        QCOMPARE(menu->activeAction(), follow);
        QTest::keyClick(menu, Qt::Key_Return);
        QTRY_COMPARE(dialog_title, QString("Follow a run folder"));
        QTRY_VERIFY(!QApplication::activeModalWidget());
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(tmp_.isValid());
        experts_ = tmp_.filePath("experts");
    }

    // A CLI run followed from its first checkpoints to its end: the loss and lr plots gain points
    // and the status bar's iteration advances while the CLI runs, the images are shown, the run's
    // controls are off, the end is recognised, and the folder is as the CLI left it.
    void followsACliRunFromTheFileMenu() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        const QString run = tmp_.filePath("cli-run");
        QProcess cli;
        cli.setProcessChannelMode(QProcess::ForwardedChannels);
        cli.start(QStringLiteral(DISTILLERY_CLI), distillery::test::tiny_distill(experts_, 400)
                                                     << "--out" << run << "--checkpoint-every" << "5");
        QVERIFY(cli.waitForStarted());
        auto w = openWindow();
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(run).isDir(), kTimeout);  // the CLI made its --out

        followThroughTheFileMenu(*w, run);
        if (QTest::currentTestFailed()) return;
        QVERIFY(w->isFollowing());
        QVERIFY2(w->windowTitle().contains("following cli-run (read-only)"), qPrintable(w->windowTitle()));
        QVERIFY2(w->statusText().contains("Following (read-only)"), qPrintable(w->statusText()));
        // Nothing that would act on a run can be used while following.
        for (const char* name : {"start", "pause", "resume", "step", "stop", "evaluate", "train_experts"})
            QVERIFY2(!w->action(name)->isEnabled(), name);
        QVERIFY(!w->hyperparameterPanel()->isEnabled());
        QVERIFY(w->action("stop_following")->isEnabled());

        // The run's iterations arrive while it runs.
        QTRY_VERIFY2_WITH_TIMEOUT(w->lossView()->shownCount() >= 1, qPrintable(w->log().join('\n')), kTimeout);
        QVERIFY2(cli.state() == QProcess::Running, "the CLI run ended before the window showed it: make it longer");
        const int first_points = w->lossView()->shownCount();
        const qint64 first_iteration = shownIteration(*w);
        QVERIFY2(first_iteration >= 1, qPrintable(w->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(w->lossView()->shownCount() > first_points && shownIteration(*w) > first_iteration, kTimeout);
        QCOMPARE(w->lrView()->shownCount() > 0, true);
        QVERIFY2(w->statusText().contains("/ 400"), qPrintable(w->statusText()));
        // The images of the checkpoint: 2 per class, 10 classes, drawn; their labels too.
        QTRY_COMPARE_WITH_TIMEOUT(w->imageView()->shownCount(), 20, kTimeout);
        QVERIFY(distinctColours(w->imageView()->grab().toImage()) > 20);
        QCOMPARE(w->latestImages().count, 20);
        // The panel shows the followed run's values.
        QCOMPARE(w->hyperparameterPanel()->fieldText("syn_steps"), QString("2"));

        // The run ends: all its steps, its final evaluation from metrics.csv, and the status says so.
        QVERIFY(cli.waitForFinished(kRunTimeout));
        QCOMPARE(cli.exitCode(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(w->lossView()->shownCount(), 400, kTimeout);
        QCOMPARE(shownIteration(*w), qint64(400));
        QTRY_VERIFY2_WITH_TIMEOUT(w->statusText().contains("the run has finished"), qPrintable(w->statusText()), kTimeout);
        QTRY_VERIFY2_WITH_TIMEOUT(w->lossView()->evaluationCount() >= 1, qPrintable(w->log().join('\n')), kTimeout);
        QVERIFY(w->log().join('\n').contains("Evaluation after 400 iterations"));

        // Read-only: the folder holds what the CLI wrote, nothing more, and the window writes nothing.
        const auto listing = folderListing(run);
        QCOMPARE(QSet<QString>(listing.keyBegin(), listing.keyEnd()),
                 QSet<QString>({".distillery.lock", "checkpoint.dckpt", "metrics.csv", "settings.preset", "synthetic.dsyn"}));
        QTest::qWait(2500);  // two more looks at the folder
        QCOMPARE(folderListing(run), listing);

        // Stop following: the window's own controls come back.
        w->action("stop_following")->trigger();
        QVERIFY(!w->isFollowing());
        QVERIFY(!w->windowTitle().contains("following"));
        QTRY_VERIFY_WITH_TIMEOUT(w->action("start")->isEnabled(), kTimeout);
        QVERIFY(w->hyperparameterPanel()->isEnabled());
    }

    // Files replaced underneath the window: a broken checkpoint (a half-copied file) keeps the last
    // good view and is reported once; a run resumed into the folder by the CLI (which takes the
    // folder's lock: the window never holds it) shows its new iterations after the old ones; a
    // guard that stops the resumed run is named.
    void keepsTheLastGoodViewAndFollowsAResume() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        const QString run = tmp_.filePath("resumed-run");
        auto result = distillery::test::run_cli(distillery::test::tiny_distill(experts_, 20) << "--out" << run);
        QVERIFY2(result.code == 0, qPrintable(result.err));
        auto w = openWindow();
        // The shortcut of the same menu entry, in the window a person has clicked into.
        w->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(w.get()));
        QString dialog_title;
        const auto answer = answerFolderDialog(run, &dialog_title);
        QTest::keyClick(w.get(), Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE(dialog_title, QString("Follow a run folder"));
        QTRY_VERIFY2(w->isFollowing(), qPrintable(w->log().join('\n')));
        QTRY_COMPARE_WITH_TIMEOUT(w->lossView()->shownCount(), 20, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(w->imageView()->shownCount(), 20, kTimeout);
        QTRY_VERIFY2_WITH_TIMEOUT(w->statusText().contains("the run has finished"), qPrintable(w->statusText()), kTimeout);

        // A checkpoint cut short, put in place by rename as a copying tool does.
        const QString checkpoint = QDir(run).filePath("checkpoint.dckpt");
        QFile good(checkpoint);
        QVERIFY(good.open(QIODevice::ReadOnly));
        const QByteArray bytes = good.readAll();
        good.close();
        QVERIFY(QFile::rename(checkpoint, tmp_.filePath("good.dckpt")));
        {
            QFile half(checkpoint + ".partial");
            QVERIFY(half.open(QIODevice::WriteOnly));
            half.write(bytes.left(bytes.size() / 2));
        }
        QVERIFY(QFile::rename(checkpoint + ".partial", checkpoint));
        QTRY_VERIFY_WITH_TIMEOUT(w->log().join('\n').contains("truncated checkpoint"), kTimeout);
        QTest::qWait(2500);  // more looks at the same broken file
        QCOMPARE(w->log().join('\n').count("truncated checkpoint"), 1);
        QCOMPARE(w->lossView()->shownCount(), 20);
        QCOMPARE(w->imageView()->shownCount(), 20);
        QCOMPARE(shownIteration(*w), qint64(20));

        // The good file back, and the run continued by the CLI to 40 iterations.
        QVERIFY(QFile::remove(checkpoint));
        QVERIFY(QFile::rename(tmp_.filePath("good.dckpt"), checkpoint));
        result = distillery::test::run_cli({"distill", "--resume", run, "--iterations", "40", "--threads", "1", "--quiet"});
        QVERIFY2(result.code == 0, qPrintable(result.err));
        QTRY_COMPARE_WITH_TIMEOUT(w->lossView()->shownCount(), 40, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(shownIteration(*w), qint64(40), kTimeout);
        QVERIFY2(!w->log().join('\n').contains("A new run started"), qPrintable(w->log().join('\n')));

        // Resumed with an lr_lr that drives the learned lr negative: the CLI's guard stops it at
        // its first step and rolls it back; the window says so, with the guard's message.
        result = distillery::test::run_cli(
            {"distill", "--resume", run, "--iterations", "50", "--set", "lr_lr=1", "--threads", "1", "--quiet"});
        QCOMPARE(result.code, 4);
        QTRY_VERIFY2_WITH_TIMEOUT(w->statusText().contains("a guard stopped the run at iteration 40"), qPrintable(w->statusText()),
                                  kTimeout);
        QVERIFY2(w->log().join('\n').contains("The followed run was stopped at iteration 40: the learned lr went negative"),
                 qPrintable(w->log().join('\n')));
        QCOMPARE(w->lossView()->shownCount(), 40);

        // A new run of 10 iterations into the same folder (not a resume): shown from its start.
        result = distillery::test::run_cli(distillery::test::tiny_distill(experts_, 10) << "--out" << run);
        QVERIFY2(result.code == 0, qPrintable(result.err));
        QTRY_COMPARE_WITH_TIMEOUT(w->lossView()->shownCount(), 10, kTimeout);
        QTRY_VERIFY2_WITH_TIMEOUT(w->statusText().contains("the run has finished"), qPrintable(w->statusText()), kTimeout);
        QCOMPARE(shownIteration(*w), qint64(10));
        QVERIFY(w->log().join('\n').contains("A new run started in " + run));
    }
};

QTEST_MAIN(TestFollow)
#include "tst_follow.moc"
