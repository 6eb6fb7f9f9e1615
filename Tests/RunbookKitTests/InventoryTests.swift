import RunbookKit
import RunbookTestSupport
import RunbookYAML
import XCTest

/// The inventory loader: formats, ranges, Ansible's value typing and precedence, patterns, the
/// JSON shape and its reading back, and the connection read from the variables.
final class InventoryTests: XCTestCase {
  private var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("inventory")
  }

  private func load(_ files: [(String, String)]) throws -> InventoryDocument {
    for (name, _) in files where name.contains("/") {
      let directory = (scratch.path + "/" + name as NSString).deletingLastPathComponent
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    var inventories: [String] = []
    for (name, text) in files {
      let path = try scratch.write(name, text)
      if !name.contains("_vars/") { inventories.append(path) }
    }
    return InventoryLoader.load(inventories)
  }

  private func inventory(_ files: (String, String)...) throws -> Inventory {
    let document = try load(files)
    XCTAssertEqual(document.diagnostics.map { "\($0.code): \($0.message)" }, [])
    return document.inventory
  }

  private func codes(_ files: (String, String)...) throws -> [String] {
    try load(files).diagnostics.map { "\($0.code)@\($0.range.map { "\($0.start)" } ?? "-")" }
  }

  func testINIRangesExpandAsAnsibleExpandsThem() throws {
    let inv = try inventory(("hosts.ini", "[g]\nn[1:3]\np[01:03]\nl[a:c]\ns[1:10:3]\nnone[5:1]\nx[1:2]-[a:b]\n"))
    XCTAssertEqual(inv.group(named: "g")?.hosts, [
      "n1", "n2", "n3", "p01", "p02", "p03", "la", "lb", "lc", "s1", "s4", "s7", "s10", "x1-a", "x1-b", "x2-a", "x2-b",
    ])
  }

  func testINIValuesAreTypedAsPythonLiterals() throws {
    let inv = try inventory(("hosts.ini", """
      h i=2222 t=True f=1.5 q="'a b'" s=word n=None lead=0755 l="[1, 'x']" e=
      [all:vars]
      v=23
      w=some words # not a comment
      """))
    let vars = try XCTUnwrap(inv.host(named: "h")?.vars)
    XCTAssertEqual(vars["i"], .int(2222))
    XCTAssertEqual(vars["t"], .bool(true))
    XCTAssertEqual(vars["f"], .decimal(1.5))
    XCTAssertEqual(vars["q"], .string("a b"))
    XCTAssertEqual(vars["s"], .string("word"))
    XCTAssertEqual(vars["n"], .null)
    XCTAssertEqual(vars["lead"], .string("0755"))
    XCTAssertEqual(vars["l"], .list([.int(1), .string("x")]))
    XCTAssertEqual(vars["e"], .string(""))
    // :vars values are typed too, whatever Ansible's documentation says
    XCTAssertEqual(vars["v"], .int(23))
    XCTAssertEqual(vars["w"], .string("some words # not a comment"))
  }

  func testYAMLValuesAreReadAsYAML11() throws {
    let inv = try inventory(("hosts.yml", "all:\n  hosts:\n    h:\n      a: yes\n      b: off\n      c: 0755\n      d: 1e3\n      e: 1:30\n      f: 'yes'\n      g: 0x10\n"))
    let vars = try XCTUnwrap(inv.host(named: "h")?.vars)
    XCTAssertEqual(vars["a"], .bool(true))
    XCTAssertEqual(vars["b"], .bool(false))
    XCTAssertEqual(vars["c"], .int(493))
    XCTAssertEqual(vars["d"], .string("1e3"))
    XCTAssertEqual(vars["e"], .int(90))
    XCTAssertEqual(vars["f"], .string("yes"))
    XCTAssertEqual(vars["g"], .int(16))
  }

  func testPrecedenceIsAllThenParentThenChildThenHostWithVarsFiles() throws {
    let inv = try inventory(
      ("hosts.ini", """
        [child]
        h1 x=host
        h2
        [parent:children]
        child
        [all:vars]
        x=all
        y=all
        z=all
        [parent:vars]
        x=parent
        y=parent
        [child:vars]
        x=child
        """),
      ("group_vars/all.yml", "z: all-file\ny: all-file\n"),
      ("group_vars/parent.yml", "w: parent-file\n"),
      ("host_vars/h1.yml", "x: host-file\n"))
    XCTAssertEqual(inv.host(named: "h1")?.vars["x"], .string("host-file"))
    XCTAssertEqual(inv.host(named: "h2")?.vars["x"], .string("child"))
    // group_vars/all outranks [all:vars] and [parent:vars] too (Ansible's VARIABLE_PRECEDENCE)
    XCTAssertEqual(inv.host(named: "h2")?.vars["y"], .string("all-file"))
    XCTAssertEqual(inv.host(named: "h2")?.vars["z"], .string("all-file"))
    XCTAssertEqual(inv.host(named: "h2")?.vars["w"], .string("parent-file"))
    XCTAssertEqual(inv.host(named: "h2")?.groups, ["child", "parent"])
    XCTAssertEqual(inv.group(named: "parent")?.vars["w"], .string("parent-file"))
  }

  func testUngroupedAndAllAreAnsibles() throws {
    let inv = try inventory(("hosts.ini", "loose\nlater\n[g]\nlater\n"))
    XCTAssertEqual(inv.groups.map(\.name), ["all", "ungrouped", "g"])
    XCTAssertEqual(inv.group(named: "all")?.children, ["ungrouped", "g"])
    XCTAssertEqual(inv.group(named: "ungrouped")?.hosts, ["loose"])
    XCTAssertEqual(inv.host(named: "later")?.groups, ["g"])
  }

  func testLaterFilesAddAndOverride() throws {
    let inv = try inventory(("a.ini", "[web]\nw1 color=red\n"), ("b.yml", "web:\n  hosts:\n    w1: {color: blue}\n    w2:\n"))
    XCTAssertEqual(inv.hosts.map(\.name), ["w1", "w2"])
    XCTAssertEqual(inv.host(named: "w1")?.vars["color"], .string("blue"))
  }

  func testConnectionIsReadOnceFromTheVariables() throws {
    let inv = try inventory(("hosts.yml", """
      all:
        hosts:
          n1:
            ansible_host: 10.0.0.1
            ansible_port: "2222"
            ansible_user: ops
            ansible_ssh_private_key_file: ~/.ssh/id_ops
            ansible_ssh_common_args: -o ProxyJump=bastion -o 'ServerAliveInterval 5' "-o" a\\ b
            ansible_become: Yes
            ansible_become_user: root
          n2:
            ansible_become: "no"
      """))
    XCTAssertEqual(inv.host(named: "n1")?.connection, HostConnection(
      address: "10.0.0.1", port: 2222, user: "ops", privateKeyFile: "~/.ssh/id_ops",
      commonArgs: ["-o", "ProxyJump=bastion", "-o", "ServerAliveInterval 5", "-o", "a b"], become: true, becomeUser: "root"))
    XCTAssertEqual(inv.host(named: "n2")?.connection, HostConnection(address: "n2"))
  }

  func testSelectTakesTheUnionInOrderOfFirstAppearance() throws {
    let inv = try inventory(("hosts.ini", "[a]\nh1\nh2\n[b]\nh3\nh1\n[c:children]\nb\n"))
    XCTAssertEqual(try inv.select("all"), ["h1", "h2", "h3"])
    XCTAssertEqual(try inv.select("c"), ["h1", "h3"])
    XCTAssertEqual(try inv.select("h3,a"), ["h3", "h1", "h2"])
    XCTAssertEqual(try inv.select("b:h2"), ["h1", "h3", "h2"])
    XCTAssertThrowsError(try inv.select("a,hh3")) { error in
      let error = error as! InventorySelectionError
      XCTAssertEqual(error.name, "hh3")
      XCTAssertEqual(error.diagnostic.notes.map(\.message), ["did you mean 'h3'?"])
    }
  }

  func testJSONReadsBackToTheSameHostsAndGroups() throws {
    let inv = try inventory(("hosts.yml", """
      all:
        children:
          k8s_cluster:
            children:
              kube_control_plane:
                hosts: {cp1: {ip: 10.0.0.1, etcd_member_name: etcd1}}
              kube_node:
                hosts: {w1: {ip: 10.0.0.2}}
          etcd:
            children:
              kube_control_plane:
      """))
    let back = try Inventory(ansibleJSON: inv.json)
    XCTAssertEqual(back.json, inv.json)
    XCTAssertEqual(back.hosts, inv.hosts)
    XCTAssertEqual(back.groups.map(\.name), inv.groups.map(\.name))
    XCTAssertEqual(try back.select("etcd"), ["cp1"])
    XCTAssertThrowsError(try Inventory(ansibleJSON: ["all": ["children": "x"]]))
  }

  func testEveryProblemIsReportedAtOnce() throws {
    XCTAssertEqual(
      try codes(("bad.ini", "[a b]\nskipped\n[g:nope]\n[g]\nh k\nh[1:x]\n[g:vars]\nnot a pair\n[g:children]\ng\n")),
      ["H702@1:1", "H703@3:1", "H705@5:3", "H704@6:1", "H706@8:1", "H708@10:1"])
    XCTAssertEqual(try codes(("bad.yml", "g:\n  hosts:\n    - h1\n  vars:\n    ansible_port: 0\n")), ["H710@3:5", "H711@5:19"])
  }

  func testShellWordsSplitAsPythonsShlex() throws {
    XCTAssertEqual(try ShellWords.split(#"a 'b c' "d \" \x" e\ f # g"#, comments: true), ["a", "b c", #"d " \x"#, "e f"])
    XCTAssertEqual(try ShellWords.split("x#y"), ["x#y"])
    XCTAssertThrowsError(try ShellWords.split("a 'b"))
  }
}
