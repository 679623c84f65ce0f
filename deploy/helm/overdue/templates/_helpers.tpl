{{- define "overdue.fullname" -}}{{ .Release.Name }}-overdue{{- end -}}
{{- define "overdue.secretName" -}}{{ default (printf "%s-db" (include "overdue.fullname" .)) .Values.database.existingSecret }}{{- end -}}
{{- define "overdue.env" -}}
- name: OVERDUE_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "overdue.secretName" . }}
      key: {{ .Values.database.secretKey }}
- name: OVERDUE_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- end -}}
