import Foundation
import Testing

@testable import TrefoilConfiguration

/// The `spaces` section (quota and retention per kind of space) and the older keys it replaced.
@Suite("Config spaces")
struct ConfigSpacesTests {
    @Test("the spaces section sets each kind's quota and retention, from the file and from the environment")
    func newKeys() throws {
        let config = try ConfigTestSupport.load(
            #"{"spaces": {"group": {"total_space": 100, "file_limit": 5, "file_days": 2}, "app": {"file_days": 9}}}"#,
            environment: ["TREFOIL_SPACES_USER_FILE_DAYS": "3", "TREFOIL_SPACES_AVATAR_TOTAL_SPACE": "77"]
        ).config
        var expected = TrefoilConfig.defaults
        expected.spaces.group = .init(totalSpace: 100, fileLimit: 5, fileDays: 2)
        expected.spaces.app.fileDays = 9
        expected.spaces.user.fileDays = 3
        expected.spaces.avatar.totalSpace = 77
        #expect(config == expected)
    }

    @Test("the older keys still set the group's and the user's values, from the file and from the environment")
    func oldKeys() throws {
        let config = try ConfigTestSupport.load(
            #"{"limits": {"group_total_space": 100, "group_file_limit": 5}, "retention": {"group_file_days": 2}}"#,
            environment: ["TREFOIL_RETENTION_PRIVATE_FILE_DAYS": "3"]
        ).config
        var expected = TrefoilConfig.defaults
        expected.spaces.group = .init(totalSpace: 100, fileLimit: 5, fileDays: 2)
        expected.spaces.user.fileDays = 3
        #expect(config == expected)
    }

    @Test("setting an older key and the key that replaced it is one problem line naming both")
    func bothKeys() {
        #expect(
            ConfigTestSupport.problems(
                #"""
                {"limits": {"group_total_space": 100, "group_file_limit": 5}, "retention": {"private_file_days": 1},
                 "spaces": {"group": {"total_space": 100, "file_limit": 6}, "user": {"file_days": 1}}}
                """#) == [
                    "config.json: limits.group_total_space: set together with spaces.group.total_space, which replaces it (keep only spaces.group.total_space)",
                    "config.json: limits.group_file_limit: set together with spaces.group.file_limit, which replaces it (keep only spaces.group.file_limit)",
                    "config.json: retention.private_file_days: set together with spaces.user.file_days, which replaces it (keep only spaces.user.file_days)",
                ])
        #expect(
            ConfigTestSupport.problems(
                "{}",
                environment: ["TREFOIL_RETENTION_GROUP_FILE_DAYS": "1", "TREFOIL_SPACES_GROUP_FILE_DAYS": "2"]) == [
                    "environment: TREFOIL_RETENTION_GROUP_FILE_DAYS: set together with TREFOIL_SPACES_GROUP_FILE_DAYS, which replaces it (keep only TREFOIL_SPACES_GROUP_FILE_DAYS)"
                ])
    }

    @Test("the environment overrides a file's key under either of its names")
    func environmentOverridesEitherName() throws {
        let config = try ConfigTestSupport.load(
            #"{"spaces": {"group": {"file_days": 4}}}"#, environment: ["TREFOIL_RETENTION_GROUP_FILE_DAYS": "5"]
        ).config
        #expect(config.spaces.group.fileDays == 5)
    }
}
