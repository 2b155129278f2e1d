// The one atomic writer (atomic_file.h), with anonymous (O_TMPFILE) and named temporaries:
// nothing is written through a symbolic link, FIFO or device, wherever it sits in the path or
// at a temporary's old predictable name; a killed writer leaves nothing under a final name,
// and its named temporary is swept by the next write into the folder.

#include "stipple/core/atomic_file.h"

#include <algorithm>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "stipple/core/error.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using namespace stipple;

std::string messageOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

using test::entriesOf;

size_t temporariesIn(const fs::path& dir) {
    size_t n = 0;
    for (const std::string& name : entriesOf(dir))
        n += isTemporaryName(name);
    return n;
}

// Runs each test with anonymous (O_TMPFILE) and with named temporaries.
class AtomicFileTest : public ::testing::TestWithParam<bool> {
protected:
    void SetUp() override { detail::setAnonymousTemporaries(GetParam()); }
    void TearDown() override { detail::setAnonymousTemporaries(true); }
    fs::path dir(const std::string& name) {
        return test::outputDir("atomic_" + name + (GetParam() ? "_anon" : "_named"));
    }
};

TEST_P(AtomicFileTest, WritesRefusesExistingAndReplacesOnlyWhenAsked) {
    const fs::path d = dir("basic");
    writeFileAtomic(d / "f.txt", "one", Overwrite::No);
    EXPECT_EQ(test::readText(d / "f.txt"), "one");
    const std::string m = messageOf([&] { writeFileAtomic(d / "f.txt", "two", Overwrite::No); });
    EXPECT_NE(m.find("exists; not replaced without overwrite"), std::string::npos) << m;
    EXPECT_EQ(test::readText(d / "f.txt"), "one");
    writeFileAtomic(d / "f.txt", "two", Overwrite::Yes);
    EXPECT_EQ(test::readText(d / "f.txt"), "two");
    // A new output is readable like any new file (0666 minus the umask), not 0600.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    EXPECT_EQ(fs::status(d / "f.txt").permissions(), fs::perms(0666 & ~mask));
    EXPECT_EQ(temporariesIn(d), 0u);
}

TEST_P(AtomicFileTest, NameTakenWhileWritingIsNotReplacedWithoutOverwrite) {
    const fs::path d = dir("race");
    AtomicFile out(d / "f.txt", Overwrite::No);
    out.write("mine");
    std::ofstream(d / "f.txt") << "theirs"; // appears after the check, before the commit
    const std::string m = messageOf([&] { out.commit(); });
    EXPECT_NE(m.find("exists"), std::string::npos) << m;
    EXPECT_EQ(test::readText(d / "f.txt"), "theirs");
    EXPECT_EQ(temporariesIn(d), 0u);
}

TEST_P(AtomicFileTest, UncommittedFileLeavesNothing) {
    const fs::path d = dir("discard");
    {
        AtomicFile out(d / "clip.mp4", Overwrite::No);
        out.write(std::string(1 << 20, 'x'));
        // Only a named temporary is visible while writing, never the final name.
        EXPECT_FALSE(fs::exists(d / "clip.mp4"));
        EXPECT_EQ(temporariesIn(d), GetParam() ? 0u : 1u);
    }
    EXPECT_EQ(entriesOf(d), std::vector<std::string>{});
}

// Issue 13: `generate -o x.csv` followed a symbolic link planted at the old predictable
// temporary name (".x.csv.partial-PID-N") and overwrote a file in another folder.
TEST_P(AtomicFileTest, LinksPlantedAtOldTemporaryNamesAreNotFollowed) {
    const fs::path d = dir("planted");
    const fs::path victim = test::outputDir("atomic_planted_victim") / "victim.txt";
    std::ofstream(victim) << "precious";
    for (int n = 0; n < 16; ++n)
        for (const char* scheme : {".partial-", ".tmp-"})
            fs::create_symlink(victim, d / (".x.csv" + std::string(scheme) +
                                            std::to_string(::getpid()) + "-" + std::to_string(n)));
    for (int n = 0; n < 16; ++n)
        writeFileAtomic(d / "x.csv", "dots " + std::to_string(n), Overwrite::Yes);
    EXPECT_EQ(test::readText(victim), "precious");
    EXPECT_EQ(test::readText(d / "x.csv"), "dots 15");
    EXPECT_FALSE(fs::is_symlink(d / "x.csv"));
}

TEST_P(AtomicFileTest, FinalNameThatIsALinkFifoOrDeviceIsRefused) {
    const fs::path d = dir("final");
    const fs::path victim = test::outputDir("atomic_final_victim") / "victim.txt";
    std::ofstream(victim) << "precious";
    fs::create_symlink(victim, d / "link.png");
    ASSERT_EQ(::mkfifo((d / "fifo.png").c_str(), 0600), 0);
    for (Overwrite o : {Overwrite::No, Overwrite::Yes}) {
        std::string m = messageOf([&] { writeFileAtomic(d / "link.png", "x", o); });
        EXPECT_NE(m.find("link.png: is a symbolic link"), std::string::npos) << m;
        EXPECT_NE(m.find("accepted: a regular file or a new name"), std::string::npos) << m;
        m = messageOf([&] { writeFileAtomic(d / "fifo.png", "x", o); });
        EXPECT_NE(m.find("fifo.png: is a FIFO"), std::string::npos) << m;
    }
    EXPECT_EQ(test::readText(victim), "precious");
    EXPECT_TRUE(fs::is_symlink(d / "link.png"));
    EXPECT_TRUE(fs::is_fifo(d / "fifo.png"));
    // A device: /dev/null is never written to nor replaced (root could otherwise replace it).
    const std::string m = messageOf([] { writeFileAtomic("/dev/null", "x", Overwrite::Yes); });
    EXPECT_TRUE(m.find("/dev/null: is a character device") != std::string::npos ||
                m.find("not writable") != std::string::npos)
        << m;
    EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST_P(AtomicFileTest, LinkOrFifoAnywhereInTheFolderPathIsRefused) {
    const fs::path d = dir("path");
    const fs::path elsewhere = test::outputDir("atomic_path_elsewhere");
    fs::create_symlink(elsewhere, d / "link");
    ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0600), 0);
    std::string m = messageOf([&] { writeFileAtomic(d / "link" / "out.png", "x", Overwrite::No); });
    EXPECT_NE(m.find("'link' in this path is a symbolic link"), std::string::npos) << m;
    EXPECT_NE(m.find("accepted: a path of real folders"), std::string::npos) << m;
    m = messageOf([&] { ensureWritableDir(d / "link" / "sub" / "deeper"); });
    EXPECT_NE(m.find("'link' in this path is a symbolic link"), std::string::npos) << m;
    m = messageOf([&] { writeFileAtomic(d / "fifo" / "out.png", "x", Overwrite::No); });
    EXPECT_NE(m.find("'fifo' in this path is a FIFO"), std::string::npos) << m;
    EXPECT_EQ(entriesOf(elsewhere), std::vector<std::string>{});
    // Real folders are created as needed and written into.
    ensureWritableDir(d / "a" / "b");
    writeFileAtomic(d / "a" / "b" / "out.png", "x", Overwrite::No);
    EXPECT_EQ(test::readText(d / "a" / "b" / "out.png"), "x");
}

// A writer killed half-way (SIGKILL: no handler, no destructor) leaves nothing under the final
// name; an anonymous temporary vanishes with it, a named one is swept by the next write.
TEST_P(AtomicFileTest, KilledWriterLeavesNothingThatLooksComplete) {
    const fs::path d = dir("killed");
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        AtomicFile out(d / "turntable.mp4", Overwrite::No);
        out.write(std::string(1 << 20, 'x'));
        ::raise(SIGKILL);
        ::_exit(0); // not reached
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    EXPECT_FALSE(fs::exists(d / "turntable.mp4"));
    const std::vector<std::string> left = entriesOf(d);
    if (GetParam()) {
        EXPECT_EQ(left, std::vector<std::string>{});
    } else {
        ASSERT_EQ(left.size(), 1u);
        long pid = 0;
        EXPECT_TRUE(isTemporaryName(left[0], &pid)) << left[0];
        EXPECT_EQ(pid, long(child));
    }
    // The next run's first write into the folder removes the dead process's temporary.
    writeFileAtomic(d / "turntable.mp4", "complete", Overwrite::No);
    EXPECT_EQ(entriesOf(d), std::vector<std::string>{"turntable.mp4"});
}

INSTANTIATE_TEST_SUITE_P(Temporaries, AtomicFileTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                             return p.param ? "Anonymous" : "Named";
                         });

TEST(AtomicFile, TemporaryNamesFollowOneScheme) {
    long pid = 0;
    EXPECT_TRUE(isTemporaryName(".stipple-tmp-123-0123456789abcdef", &pid));
    EXPECT_EQ(pid, 123);
    for (const char* other : {".stipple-tmp-123-0123456789abcde", ".stipple-tmp--0123456789abcdef",
                              ".stipple-tmp-12a-0123456789abcdef", "stipple-tmp-1-0123456789abcdef",
                              ".x.png.partial-1-0", ".stipple-tmp-1-0123456789ABCDEF"})
        EXPECT_FALSE(isTemporaryName(other)) << other;
}

// The sweep rule for temporaries named `name(pid, k)`: a regular file, ours, and its process
// gone or idle for an hour; `user` (a file of the user's with a similar name), a live
// process's temporary and a symbolic link at a dead process's name stay, the link's target
// untouched.
void expectSweptByTheRuleOnly(const std::string& folder,
                              const std::function<std::string(long, int)>& name,
                              const std::string& user) {
    const fs::path d = test::outputDir(folder);
    const pid_t child = test::deadPid();
    ASSERT_GT(child, 0);
    const std::string dead = name(child, 1), live = name(::getpid(), 2);
    const std::string idle = name(::getpid(), 3), link = name(child, 4);
    for (const std::string& n : {dead, live, idle, user})
        std::ofstream(d / n) << "x";
    const fs::path target = test::outputDir(folder + "_target") / "kept.txt";
    std::ofstream(target) << "kept";
    fs::create_symlink(target, d / link);
    const timespec two_hours_ago[2] = {{std::time(nullptr) - 7200, 0},
                                       {std::time(nullptr) - 7200, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (d / idle).c_str(), two_hours_ago, 0), 0);

    EXPECT_EQ(removeStaleTemporaries(OutputDir(d)), 2u);
    std::vector<std::string> expected = {link, live, user};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(entriesOf(d), expected);
    EXPECT_EQ(test::readText(target), "kept");
}

TEST(AtomicFile, StaleTemporariesAreRemovedByTheRuleOnly) {
    expectSweptByTheRuleOnly(
        "atomic_stale",
        [](long pid, int k) {
            return ".stipple-tmp-" + std::to_string(pid) + "-00000000000000a" + std::to_string(k);
        },
        ".stipple-tmp-notes.txt");
}

// Older versions named their temporaries ".NAME.partial-PID-N" and ".NAME.tmp-PID-N" (the MP4's
// ".turntable.mp4.tmp-PID-N" a SIGKILL left). Only these two shapes are recognised.
TEST(AtomicFile, OlderTemporaryNamesAreRecognisedAndNothingElse) {
    long pid = 0;
    EXPECT_TRUE(isOlderTemporaryName(".pigment.png.partial-4242-0", &pid));
    EXPECT_EQ(pid, 4242);
    EXPECT_TRUE(isOlderTemporaryName(".turntable.mp4.tmp-77-12", &pid));
    EXPECT_EQ(pid, 77);
    for (const char* other :
         {".partial-1-0", "..partial-1-0", "x.png.partial-1-0", ".x.png.partial-1-",
          ".x.png.partial--0", ".x.png.partial-1a-0", ".x.png.partial-1-0b", ".x.mp4.tmp",
          ".x.mp4.tmp-1", ".x.tmp-1-0.png", ".x.part-1-0", ".x.png.partial-12345678901-0",
          ".stipple-tmp-1-0123456789abcdef"})
        EXPECT_FALSE(isOlderTemporaryName(other)) << other;
}

// The same sweep rule for the older names (both shapes), and a write into the folder sweeps
// them like its own (the first write of this process there).
TEST(AtomicFile, StaleOlderTemporariesAreRemovedByTheSameRule) {
    expectSweptByTheRuleOnly(
        "atomic_stale_partial",
        [](long pid, int k) {
            return ".pigment.png.partial-" + std::to_string(pid) + "-" + std::to_string(k);
        },
        ".notes.partial");
    expectSweptByTheRuleOnly(
        "atomic_stale_tmp",
        [](long pid, int k) {
            return ".turntable.mp4.tmp-" + std::to_string(pid) + "-" + std::to_string(k);
        },
        "notes.tmp-1-1");
    const fs::path e = test::outputDir("atomic_stale_older_write");
    const pid_t child = test::deadPid();
    ASSERT_GT(child, 0);
    std::ofstream(e / (".turntable.mp4.tmp-" + std::to_string(child) + "-3")) << "half an mp4";
    fs::create_directory(e / (".dir.png.partial-" + std::to_string(child) + "-5"));
    writeFileAtomic(e / "turntable.mp4", "complete", Overwrite::No);
    EXPECT_EQ(entriesOf(e),
              (std::vector<std::string>{".dir.png.partial-" + std::to_string(child) + "-5",
                                        "turntable.mp4"}));
}

} // namespace
