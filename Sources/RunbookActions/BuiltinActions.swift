import RunbookKit

/// Every built-in action.
public enum BuiltinActions {
  public static let all: [any Action.Type] = [
    ExecAction.self, ShellAction.self, NoopAction.self, WaitAction.self, FileStatAction.self, FileWriteAction.self,
    FileMoveAction.self, FileBackupAction.self, FileSetEnvAction.self, FileArchiveAction.self, FileExtractAction.self,
    FileFetchAction.self, FilePushAction.self, EtcdClusterAction.self, EtcdEndpointAction.self,
    EtcdDefragAction.self, EtcdMoveLeaderAction.self, EtcdCompactAction.self, EtcdMemberRemoveAction.self,
    EtcdMemberAddAction.self, EtcdMemberPromoteAction.self, EtcdSnapshotSaveAction.self, EtcdSnapshotRestoreAction.self,
    EtcdAlarmDisarmAction.self, X509InspectAction.self, PKICheckAction.self, PKITableAction.self, X509RenewAction.self,
    KubeconfigRenewClientCertAction.self, HTTPGetAction.self,
  ]

  /// A registry holding the built-ins.
  public static var registry: ActionRegistry { ActionRegistry(all) }
}
